"""Rule family 2: personal data, each finding with a masked spelling as its suggestion.

Matching runs on the normalized view, so full-width digits and zero-width characters
inside a number do not hide it; spans and masks use the text as written.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from beatdesk.checker.core.clauses import clause_before
from beatdesk.checker.core.findings import Category, Finding, Severity
from beatdesk.checker.core.masking import mask_characters, mask_digits
from beatdesk.checker.core.messages import gettext_noop
from beatdesk.checker.core.normalize import NormalizedText, normalize


@dataclass(frozen=True, slots=True)
class PersonalDataKind:
    """A kind of personal data: its rule id, why it matters and how much of it to show."""

    rule: str
    reason: str
    keep_first: int
    keep_last: int


RESIDENT_ID = PersonalDataKind(
    "personal_data.resident_id",
    gettext_noop("A resident ID number identifies a person; never publish it."),
    0,
    0,
)
MOBILE = PersonalDataKind(
    "personal_data.mobile",
    gettext_noop("A mobile number reaches a person directly; mask its middle digits."),
    3,
    4,
)
LANDLINE = PersonalDataKind(
    "personal_data.landline",
    gettext_noop("A telephone number may be a private line; mask it unless it is public."),
    4,
    2,
)
BANK_CARD = PersonalDataKind(
    "personal_data.bank_card",
    gettext_noop("A bank card number invites fraud; show at most its last four digits."),
    0,
    4,
)
LICENCE_PLATE = PersonalDataKind(
    "personal_data.licence_plate",
    gettext_noop("A licence plate identifies a vehicle and its owner; mask it."),
    2,
    1,
)
PASSPORT = PersonalDataKind(
    "personal_data.passport",
    gettext_noop("A passport or travel permit number identifies a person; mask it."),
    1,
    2,
)
EMAIL = PersonalDataKind(
    "personal_data.email",
    gettext_noop("An e-mail address reaches a person directly; mask it unless it is public."),
    1,
    0,
)
IM_ACCOUNT = PersonalDataKind(
    "personal_data.im_account",
    gettext_noop(
        "A QQ number or WeChat ID reaches a person directly; mask it unless it is an "
        "official account."
    ),
    2,
    2,
)
ADDRESS = PersonalDataKind(
    "personal_data.address",
    gettext_noop("A house number leads to someone's home; mask it unless it is an office."),
    0,
    0,
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARACTERS = "10X98765432"

# A run of digits that may hold spaces or dashes between digits, ending in an optional
# check character. Dashes include the hyphen and dash characters people paste.
# The first digit comes before the look back at the character preceding it, so the search
# skips from digit to digit instead of trying the look back at every position.
_NUMBER_RUN = re.compile(
    r"\d(?<!\d\d)(?:[ .\-\u2010-\u2015]?\d)*(?:[ \-]?[xX](?![A-Za-z]))?(?!\d)"
)
_RUN_GROUP = re.compile(r"[^ .\-\u2010-\u2015]+")
_RUN_SEPARATORS = re.compile(r"[ .\-\u2010-\u2015]")
# Dots separate the groups of a number (138.0013.8000) and also the parts of a date.
_DOTTED_DATE = re.compile(r"(?:19|20)\d{2}\.\d{1,2}\.\d{1,2}")
# No number we look for has more digits than a 19-digit bank card or +86 and a mobile, nor
# fewer than a 7-digit local telephone number.
_LONGEST_NUMBER = 19
_SHORTEST_NUMBER = 7
_LONGEST_GROUP = 8
_MOBILE = re.compile(r"(?:0086|86)?1[3-9]\d{9}")
# The digits a mobile number's mask keeps in front: the country code and the network prefix.
_MOBILE_KEPT_IN_FRONT = {11: 3, 13: 5, 15: 7}
# An area code (010, 02x or a four-digit one) and a local number, which never starts with 1.
_LANDLINE = re.compile(r"0(?:10|2\d)[2-9]\d{7}|0[3-9]\d{2}[2-9]\d{6,7}")
_BRACKETED_LANDLINE = re.compile(r"\(0\d{2,3}\) ?[2-9]\d{6,7}(?!\d)")
_LOCAL_NUMBER = re.compile(r"[2-8]\d{6,7}")
_PHONE_CUES = re.compile(r"电话|座机|致电|拨打|联系|tel|Tel|TEL")

_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"[A-HJ-NP-Z][ ·•.\-]?"
    r"(?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# A plate spaced or dotted out between any of its characters (浙 A 1 2 3 4 5); what it holds
# once the separators are gone must be a plate `_PLATE` knows.
_SPACED_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"[ ·•.\-]?[A-HJ-NP-Z](?:[ ·•.\-]?[A-HJ-NP-Z0-9挂学警港澳]){5,6}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_PLATE_SEPARATORS = re.compile(r"[ ·•.\-]")
# A QQ number or a WeChat ID after its label (QQ：12345678, 微信号 zhang_san88). A QQ group's
# number is left alone: police accounts publish theirs.
# Started the same way as `_PASSPORT`: QQ or 扣扣; 微信(号), VX, WX or WeChat, in any case.
_QQ_NUMBER = re.compile(
    r"[Qq扣](?:(?<=[Qq])[Qq]|(?<=扣)扣)(?:号码|号)?[:\s]*([1-9]\d{4,10})(?!\d)"
)
_WECHAT_ID = re.compile(
    r"[微VvWw](?:(?<=微)信号?|(?<=[VvWw])[Xx]|(?<=[Ww])[Ee][Cc][Hh][Aa][Tt])[:\s]*"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)
# Digits written as Chinese numerals, as some write a phone number to slip past filters
# (一三八零零一三八零零零; 幺 is the 1 of spoken numbers). Each numeral is one character, so
# a run read as ASCII digits keeps every offset.
_CHINESE_DIGIT_RUN = re.compile(
    r"[零〇一二三四五六七八九幺](?:[ \-]?[零〇一二三四五六七八九幺]){6,}"
)
_CHINESE_DIGITS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
# These patterns spell letter cases out and start with a plain character class, the look back
# after it: the search then skips from candidate to candidate, where IGNORECASE or an
# alternation first would try every position of every text. E or G and 8 digits, or E, a
# letter and 7 digits, in either case.
_PASSPORT = re.compile(
    r"[EeGg](?<![A-Za-z0-9].)"
    r"(?:\d{8}|(?<=[Ee])[A-HJ-NP-Za-hj-np-z]\d{7})(?![A-Za-z0-9])"
)
_TRAVEL_DOCUMENT = re.compile(
    r"[护通Pp](?:(?<=护)照|(?<=通)行证|(?<=[Pp])[Aa][Ss][Ss][Pp][Oo][Rr][Tt])"
    r"(?:号码|号)?[:\s]*([A-Za-z]{1,2}\d{6,9})(?![A-Za-z0-9])"
)
_SIX_DIGITS = re.compile(r"\d{6}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ADDRESS_NUMBER = re.compile(
    r"(?:路|街|道|巷|弄|胡同|村|社区|小区|花园|公寓|大厦|新村|家园|苑)\s?"
    r"((?:[A-Za-z]?\d(?:\s?\d){0,4}(?:-\d{1,5})?\s?(?:号楼|号院|号|弄|栋|幢|单元|室|楼|层|户|组))+)"
    r"(?!线)"
)


def find_personal_data(view: NormalizedText, original: str) -> list[Finding]:
    """Return personal data findings; one inside another (a phone in an e-mail) is dropped."""
    # Passport and travel document numbers hold six digits in a row at least, and an e-mail
    # address an at sign: most texts have neither, so those searches are skipped.
    documents = _SIX_DIGITS.search(view.text) is not None
    handles = [
        *_find_pattern(_QQ_NUMBER, IM_ACCOUNT, view, original, group=1),
        *_find_pattern(_WECHAT_ID, IM_ACCOUNT, view, original, group=1),
    ]
    # A number already named a QQ number is not also a telephone number.
    named = {(finding.start, finding.end) for finding in handles}
    numbers = [
        finding
        for finding in [*_find_numbers(view, original), *_find_written_out_numbers(view, original)]
        if (finding.start, finding.end) not in named
    ]
    findings = [
        *numbers,
        *handles,
        *_find_pattern(_BRACKETED_LANDLINE, LANDLINE, view, original),
        *_find_pattern(_PLATE, LICENCE_PLATE, view, original),
        *_find_spaced_plates(view, original),
        *(_find_pattern(_PASSPORT, PASSPORT, view, original) if documents else ()),
        *(_find_pattern(_TRAVEL_DOCUMENT, PASSPORT, view, original, 1) if documents else ()),
        *(_find_emails(view, original) if "@" in view.text else ()),
        *_find_pattern(_ADDRESS_NUMBER, ADDRESS, view, original, group=1),
    ]
    return _without_contained(list(dict.fromkeys(findings)))


def is_valid_resident_id(number: str) -> bool:
    """Return whether an 18-character ID has a real birth date and the right check character.

    A lowercase x is accepted: citizens type it that way on phones.
    """
    if not re.fullmatch(r"[1-9]\d{16}[\dxX]", number) or not _is_date(number[6:14]):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, _ID_WEIGHTS, strict=False))
    return _ID_CHECK_CHARACTERS[total % 11] == number[17].upper()


def canonical_resident_id(value: str) -> str | None:
    """Return an ID as stored: half-width, separators removed, check character in capitals.

    Returns None when the value is not a valid 18-character ID, so a form can reject it.
    """
    compact = _RUN_SEPARATORS.sub("", normalize(value).text.strip()).upper()
    return compact if is_valid_resident_id(compact) else None


def is_valid_old_resident_id(number: str) -> bool:
    """Return whether a 15-digit ID (issued before 1999) holds a real birth date."""
    return re.fullmatch(r"[1-8]\d{14}", number) is not None and _is_date("19" + number[6:12])


def passes_luhn(number: str) -> bool:
    """Return whether a digit string passes the Luhn check used by bank card numbers."""
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def classify_number(digits: str, context: str = "") -> PersonalDataKind | None:
    """Return what a run of digits without separators is, or None for an ordinary number.

    `context` is the clause before the number; a local number without an area code counts
    as a telephone number only when the clause speaks of calling.
    """
    if is_valid_resident_id(digits) or is_valid_old_resident_id(digits):
        return RESIDENT_ID
    if _MOBILE.fullmatch(digits):
        return MOBILE
    if _LANDLINE.fullmatch(digits):
        return LANDLINE
    if _LOCAL_NUMBER.fullmatch(digits) and _PHONE_CUES.search(context):
        return LANDLINE
    if 16 <= len(digits) <= 19 and digits.isdigit() and passes_luhn(digits):
        return BANK_CARD
    return None


def _find_numbers(view: NormalizedText, original: str) -> Iterator[Finding]:
    for run in _NUMBER_RUN.finditer(view.text):
        # Most runs are years, dates and amounts too short to be any number we look for; a
        # run holds no more digits than characters.
        if run.end() - run.start() < _SHORTEST_NUMBER or _DOTTED_DATE.fullmatch(run.group()):
            continue
        context = clause_before(view.text, run.start(), 8)
        for start, end, kind in _classify_run(run.group(), run.start(), context):
            yield _finding(kind, view, original, start, end)


def _classify_run(run: str, offset: int, context: str) -> list[tuple[int, int, PersonalDataKind]]:
    """Read a run as the fewest numbers that make sense, taking the longest one from the left.

    People write one number with separators inside (138 0013 8000) and also write numbers
    side by side (13800138000 123), so groups are joined only while the join means something.
    """
    groups = [(group.start(), group.end()) for group in _RUN_GROUP.finditer(run)]
    found: list[tuple[int, int, PersonalDataKind]] = []
    first = 0
    while first < len(groups):
        last, kind = _longest_number_from(run, groups, first, context)
        if kind is None:
            first += 1
            continue
        found.append((offset + groups[first][0], offset + groups[last][1], kind))
        first = last + 1
    return found


def _longest_number_from(
    run: str, groups: list[tuple[int, int]], first: int, context: str
) -> tuple[int, PersonalDataKind | None]:
    first_length = groups[first][1] - groups[first][0]
    candidates: list[tuple[int, str]] = []
    digits = ""
    for last in range(first, len(groups)):
        group = run[groups[last][0] : groups[last][1]]
        # Written numbers split into groups of at most eight digits; a longer group is a
        # number of its own, and joining it to a neighbour would invent a bank card.
        if last > first and max(len(group), first_length) > _LONGEST_GROUP:
            break
        digits += group
        if len(digits) > _LONGEST_NUMBER:
            break
        candidates.append((last, digits))
    for last, joined in reversed(candidates):
        kind = classify_number(joined, context)
        if kind is not None:
            return last, kind
    return first, None


def _find_pattern(
    pattern: re.Pattern[str],
    kind: PersonalDataKind,
    view: NormalizedText,
    original: str,
    group: int = 0,
) -> Iterator[Finding]:
    for match in pattern.finditer(view.text):
        if kind is LICENCE_PLATE and sum(c.isdigit() for c in match.group()) < 3:
            continue
        yield _finding(kind, view, original, match.start(group), match.end(group))


def _find_written_out_numbers(view: NormalizedText, original: str) -> Iterator[Finding]:
    if _CHINESE_DIGIT_RUN.search(view.text) is None:
        return
    read = _CHINESE_DIGIT_RUN.sub(lambda run: run.group().translate(_CHINESE_DIGITS), view.text)
    yield from _find_numbers(NormalizedText(read, view.offsets), original)


def _find_spaced_plates(view: NormalizedText, original: str) -> Iterator[Finding]:
    for match in _SPACED_PLATE.finditer(view.text):
        compact = _PLATE_SEPARATORS.sub("", match.group())
        if compact == match.group() or not _PLATE.fullmatch(compact):
            continue
        if sum(c.isdigit() for c in compact) >= 3:
            yield _finding(LICENCE_PLATE, view, original, match.start(), match.end())


def _find_emails(view: NormalizedText, original: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(view.text):
        start, end = view.original_span(match.start(), match.end())
        written = original[start:end]
        local, at_sign, domain = _split_email(written)
        suggestion = mask_characters(local, EMAIL.keep_first, 0) + at_sign + domain
        yield _personal_data_finding(EMAIL, start, end, suggestion)


def _split_email(written: str) -> tuple[str, str, str]:
    # The address may have been written with a full-width at sign.
    at_index = max(written.rfind("@"), written.rfind("＠"))
    return written[:at_index], written[at_index], written[at_index + 1 :]


def _finding(
    kind: PersonalDataKind, view: NormalizedText, original: str, start: int, end: int
) -> Finding:
    original_start, original_end = view.original_span(start, end)
    written = original[original_start:original_end]
    if kind is ADDRESS:
        suggestion = mask_digits(written)
    elif kind is MOBILE:
        digits = sum(character.isalnum() for character in written)
        kept = _MOBILE_KEPT_IN_FRONT.get(digits, kind.keep_first)
        suggestion = mask_characters(written, kept, kind.keep_last)
    else:
        suggestion = mask_characters(written, kind.keep_first, kind.keep_last)
    return _personal_data_finding(kind, original_start, original_end, suggestion)


def _personal_data_finding(kind: PersonalDataKind, start: int, end: int, masked: str) -> Finding:
    return Finding(
        start=start,
        end=end,
        rule=kind.rule,
        category=Category.PERSONAL_DATA,
        severity=Severity.REVIEW,
        reason=kind.reason,
        suggestion=masked,
    )


def _without_contained(findings: list[Finding]) -> list[Finding]:
    return [
        finding
        for finding in findings
        if not any(
            other is not finding
            and other.start <= finding.start
            and finding.end <= other.end
            and (other.end - other.start) > (finding.end - finding.start)
            for other in findings
        )
    ]


def _is_date(yyyymmdd: str) -> bool:
    try:
        birth_date = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return birth_date.year >= 1900
