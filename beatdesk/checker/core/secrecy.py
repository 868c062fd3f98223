"""Rule family 3: police secrets: secrecy marks, internal numbers and protected people's names."""

import re
from collections.abc import Generator, Iterator

from beatdesk.checker.core.findings import Category, Finding, Severity
from beatdesk.checker.core.messages import gettext_noop
from beatdesk.checker.core.normalize import NormalizedText

# A classification mark: 绝密★, 机密 ☆ 10年, 秘密*启用前, also spaced or filled out (机 密★,
# 机*密★, 机-密★).
_SECRECY_MARK = re.compile(
    r"(?:绝|机|秘)[ ·*_.\-~/|]{0,3}密[ ]*(?:[★☆*]|级)[ ]*(?:\d+[ ]*年|长期|启用前)?"
)
_INTERNAL_MARKING = re.compile(
    r"内部资料|内部文件|内部材料|内部通报|内部传阅|内部使用|内部掌握|仅限内部|仅供内部"
    r"|不得外传|严禁外传|请勿外传|不得转发|严禁转发|工作秘密|警务秘密"
)

# A document number such as 公刑〔2024〕12号; NFKC has already made full-width brackets ASCII.
# The search looks for the bracketed year and the number after it, and then takes up to
# `_ISSUER_LENGTH` Chinese characters straight before the bracket as the prefix that may hold
# the issuer: the same matches as one pattern starting with `[\u4e00-\u9fff]{0,6}`, which
# would try six characters before a bracket at every position of the text.
_DOCUMENT_NUMBER = re.compile(r"[〔\[(【]\s*(?:19|20)\d{2}\s*[〕\])】]\s*(?:第\s*)?\d{1,5}\s*号")
_ISSUER_LENGTH = 6
# Characters that end the words before an issuer's abbreviation (根据, 按照, 的).
_BEFORE_ISSUER = frozenset("据照按依于的在和与及了是将对从由为以见即")
_POLICE_ISSUER = re.compile(r"公|警")

_LABELLED_CASE_NUMBER = re.compile(
    r"(?:案件编号|案件号|案号|警情号|警情编号|接警号|受案号|受案编号|立案号|受理号|回执号)"
    r"[:\s]*([A-Za-z]{0,2}\d[0-9A-Za-z\-]{5,29})"
)
# Police case and incident numbers: A or J, then the unit code, the month and a sequence.
# The letter comes before the look back at the character preceding it, so the search skips
# from letter to letter instead of trying the look back at every position.
_BARE_CASE_NUMBER = re.compile(r"[AJ](?<![0-9A-Za-z][AJ])\d{20,24}(?!\d)")

_PROTECTED_ROLES = (
    "举报人|报案人|报警人|受害人|被害人|受害者|被害者|被侵害人|目击证人|证人|目击者|线人"
    "|未成年人|未成年|男童|女童|幼女"
)
# Common surnames, single and compound; characters that are mostly prepositions are left out.
_SURNAMES = (
    "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|司徒|夏侯|尉迟|公孙|"
    "[王李张刘陈杨黄赵吴周徐孙马朱胡郭林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊孟秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤庞樊兰殷施洪翟安颜倪牛温芦季俞章鲁葛伍申尤毕聂丛焦柴]"
)
_PROTECTED_NAME = re.compile(
    rf"(?:{_PROTECTED_ROLES})[:\s]*({_SURNAMES})([\u4e00-\u9fff]{{1,2}})(?![\u4e00-\u9fff]?\s*\(化名)"
)
# A further name in a list after the first (被害人邵某平、邵某华), read from where the name
# before it ended.
_LISTED_NAME = re.compile(
    rf"\s*[、,和及与]\s*({_SURNAMES})([\u4e00-\u9fff]{{1,2}})(?![\u4e00-\u9fff]?\s*\(化名)"
)
# What follows a surname without being a given name: pseudonyms, titles, common words.
_NOT_GIVEN_NAMES = re.compile(
    r"某|女士|先生|同学|老师|师傅|阿姨|大爷|大妈|老人|小姐|女|男|姓|氏|家|上|额|款|面|边|时|度"
)
# Verbs and particles that end a name written straight before them (王强说, 李明报警).
_AFTER_NAME = frozenset("说称报在是和的被将向于因等讲到已也都就了与及")
# Words that end a one-character given name when they follow it (张三反映, 李四表示): their
# first character would otherwise be taken for the name's second.
_WORD_AFTER_NAME = re.compile(
    r"反映|表示|介绍|告诉|透露|回忆|提供|说明|声称|证实|指认|发现|看到|看见|听到|遭到|遭受"
    r"|受到|拨打|来电|来信|联系|前往|当时|当即|随即|立即|现年|今年|年仅|自称|描述|陈述|讲述"
)


def find_secrets(view: NormalizedText, term_view: NormalizedText) -> Iterator[Finding]:
    """Yield secrecy findings; internal-use markings are read on the term view, so spacing
    the words out does not hide them, while marks keep their star in the plain view."""
    yield from _find_marks(view)
    yield from _find_internal_markings(term_view)
    yield from _find_document_numbers(view)
    yield from _find_case_numbers(view)
    # Names are read on the term view, so a space or a star between the characters of a
    # name does not hide it.
    yield from _find_protected_names(term_view)


def _find_marks(view: NormalizedText) -> Iterator[Finding]:
    for match in _SECRECY_MARK.finditer(view.text):
        yield _finding(
            view,
            match.start(),
            match.end(),
            "secrecy.mark",
            Severity.BLOCK,
            gettext_noop("A classification mark: classified material must never be published."),
        )


def _find_internal_markings(term_view: NormalizedText) -> Iterator[Finding]:
    for match in _INTERNAL_MARKING.finditer(term_view.text):
        yield _finding(
            term_view,
            match.start(),
            match.end(),
            "secrecy.internal_marking",
            Severity.REVIEW,
            gettext_noop("The text says it is for internal use; confirm it may be published."),
        )


def _find_document_numbers(view: NormalizedText) -> Iterator[Finding]:
    for prefix_start, bracket, end in _document_numbers(view.text):
        prefix = view.text[prefix_start:bracket]
        issuer = _issuer(prefix)
        start = bracket - len(issuer)
        police = _POLICE_ISSUER.search(issuer) is not None
        yield _finding(
            view,
            start,
            end,
            "secrecy.document_number",
            Severity.REVIEW if police else Severity.ADVICE,
            gettext_noop("A document number: cite it only if the document has been published."),
        )


def _document_numbers(text: str) -> Iterator[tuple[int, int, int]]:
    """Yield `(prefix_start, bracket, end)` of each document number, left to right.

    Matches never overlap: the prefix of a number starts no earlier than the end of the one
    before it.
    """
    position = 0
    match = _DOCUMENT_NUMBER.search(text)
    while match is not None:
        bracket = match.start()
        prefix_start = bracket
        earliest = max(position, bracket - _ISSUER_LENGTH)
        while prefix_start > earliest and "\u4e00" <= text[prefix_start - 1] <= "\u9fff":
            prefix_start -= 1
        yield prefix_start, bracket, match.end()
        position = match.end()
        match = _DOCUMENT_NUMBER.search(text, position)


def _issuer(prefix: str) -> str:
    for position in range(len(prefix) - 1, -1, -1):
        if prefix[position] in _BEFORE_ISSUER:
            return prefix[position + 1 :]
    return prefix


def _find_case_numbers(view: NormalizedText) -> Iterator[Finding]:
    spans = [match.span(1) for match in _LABELLED_CASE_NUMBER.finditer(view.text)]
    spans += [match.span() for match in _BARE_CASE_NUMBER.finditer(view.text)]
    for start, end in dict.fromkeys(spans):
        yield _finding(
            view,
            start,
            end,
            "secrecy.case_number",
            Severity.REVIEW,
            gettext_noop("A case or incident number identifies a case file; leave it out."),
        )


PROTECTED_NAME_REASON = gettext_noop(
    "The name of a tipster, victim, witness or minor must not be published; "
    "use the surname with 某."
)


def _find_protected_names(view: NormalizedText) -> Iterator[Finding]:
    for match in _PROTECTED_NAME.finditer(view.text):
        end = yield from _protected_name(view, match)
        # The names listed after the first are as protected as the first.
        while end is not None:
            listed = _LISTED_NAME.match(view.text, end)
            end = (yield from _protected_name(view, listed)) if listed else None


def _protected_name(
    view: NormalizedText, match: re.Match[str]
) -> Generator[Finding, None, int | None]:
    """Yield the finding for one name; return where the name ends, for a list after it."""
    given = _given_name(match.group(2))
    if given is None:
        # A pseudonym (王某) needs no finding, but a list may go on after it.
        return match.end(2) if match.group(2).startswith("某") else None
    if len(given) == 2 and _WORD_AFTER_NAME.match(view.text, match.start(2) + 1):
        given = given[:1]
    end = match.start(2) + len(given)
    finding = _finding(
        view,
        match.start(1),
        end,
        "secrecy.protected_name",
        Severity.REVIEW,
        PROTECTED_NAME_REASON,
    )
    yield _with_suggestion(finding, match.group(1) + "某")
    return end


def _given_name(candidate: str) -> str | None:
    if _NOT_GIVEN_NAMES.match(candidate) or candidate[0] in _AFTER_NAME:
        return None
    if len(candidate) == 2 and candidate[1] in _AFTER_NAME:
        return candidate[:1]
    return candidate


def _finding(
    view: NormalizedText, start: int, end: int, rule: str, severity: Severity, reason: str
) -> Finding:
    original_start, original_end = view.original_span(start, end)
    return Finding(original_start, original_end, rule, Category.SECRECY, severity, reason)


def _with_suggestion(finding: Finding, suggestion: str) -> Finding:
    return Finding(
        finding.start,
        finding.end,
        finding.rule,
        finding.category,
        finding.severity,
        finding.reason,
        suggestion,
    )
