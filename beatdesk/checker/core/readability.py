"""Rule family 5: readability: long sentences, chains of stock phrases and a plain-language score.

Police posts are read on phones, about 15 to 18 characters to a line. Plain-language guides
for Chinese news aim at sentences of 20 to 30 characters; a sentence of more than 60
characters (twice that, four lines on a phone) without a full stop loses most readers, so
that is where advice starts. Stock phrases (高度重视, 多措并举) each say little; three in one
sentence leave nothing for the reader to hold on to.
"""

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from beatdesk.checker.core.findings import Category, Finding, Readability, SentenceScore, Severity
from beatdesk.checker.core.messages import gettext_noop
from beatdesk.checker.core.normalize import NormalizedText

LONG_SENTENCE = 60
STOCK_PHRASE_CHAIN = 3

# A sentence scores 100 when it has at most this many characters and no stock phrase.
_PLAIN_LENGTH = 30
_POINTS_PER_EXTRA_CHARACTER = 1
_POINTS_PER_STOCK_PHRASE = 15
_MAX_LENGTH_PENALTY = 50
_MAX_STOCK_PENALTY = 50
_HARDEST_SHOWN = 3

# Stock phrases of official writing that the default lexicon leaves to this rule, because
# one alone is fine and only a chain of them is worth advice.
_STOCK_PHRASES = re.compile(
    r"多措并举|齐抓共管|常抓不懈|全力以赴|扎实开展|认真落实|坚决贯彻|切实做好|持续深化|筑牢|织密"
    r"|一盘棋|全方位|多层次|立体化|高压态势|严厉打击|重拳出击|全力保障|有力保障|不断加强|进一步"
    r"|着力|取得实效|良好氛围|有效遏制|常态化|长效机制"
)
_SENTENCE = re.compile(r"[^。!?;…\n]+")

LONG_SENTENCE_REASON = gettext_noop(
    "This sentence runs over 60 characters without a full stop; split it so readers on a "
    "phone can follow."
)
STOCK_PHRASES_REASON = gettext_noop(
    "Several stock phrases in one sentence say little; say what was done instead."
)


class _Sentence(NamedTuple):
    start: int
    end: int
    length: int
    stock_phrases: tuple[tuple[int, int], ...]


def assess_readability(
    view: NormalizedText, term_view: NormalizedText, officialese: Iterable[Finding]
) -> tuple[list[Finding], Readability]:
    """Return advice on long sentences and stock-phrase chains, and the text's score.

    `officialese` are the lexicon's findings of that category, already in original offsets;
    this rule's own stock phrases are read on the term view so spacing does not hide them.
    """
    stock = _stock_phrase_spans(term_view, officialese)
    sentences = list(_sentences(view, stock))
    findings = [
        finding
        for sentence in sentences
        if sentence.length > LONG_SENTENCE or len(sentence.stock_phrases) >= STOCK_PHRASE_CHAIN
        for finding in _advise(sentence)
    ]
    return findings, _score(sentences)


def _stock_phrase_spans(
    term_view: NormalizedText, officialese: Iterable[Finding]
) -> list[tuple[int, int]]:
    spans = {(finding.start, finding.end) for finding in officialese}
    for match in _STOCK_PHRASES.finditer(term_view.text):
        spans.add(term_view.original_span(match.start(), match.end()))

    # Overlapping phrases (高度重视 inside 引起高度重视) count once, by the first to start.
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _sentences(view: NormalizedText, stock: list[tuple[int, int]]) -> Iterator[_Sentence]:
    # The stock phrases neither overlap nor repeat, so both their starts and their ends rise,
    # and the phrases inside a sentence are a slice found by bisection.
    starts = [span[0] for span in stock]
    ends = [span[1] for span in stock]
    offsets = view.offsets
    for match in _SENTENCE.finditer(view.text):
        # Splitting drops exactly the characters `\s` matches, faster than a substitution.
        length = sum(map(len, match.group().split()))
        if length == 0:
            continue
        start, end = offsets[match.start()], offsets[match.end() - 1] + 1
        first, last = bisect.bisect_left(starts, start), bisect.bisect_right(ends, end)
        yield _Sentence(start, end, length, tuple(stock[first:last]))


def _advise(sentence: _Sentence) -> Iterator[Finding]:
    if sentence.length > LONG_SENTENCE:
        yield _finding(
            sentence.start, sentence.end, "readability.long_sentence", LONG_SENTENCE_REASON
        )
    if len(sentence.stock_phrases) >= STOCK_PHRASE_CHAIN:
        first, last = sentence.stock_phrases[0], sentence.stock_phrases[-1]
        yield _finding(first[0], last[1], "readability.stock_phrases", STOCK_PHRASES_REASON)


def _sentence_score(sentence: _Sentence) -> int:
    extra = max(0, sentence.length - _PLAIN_LENGTH) * _POINTS_PER_EXTRA_CHARACTER
    stock = len(sentence.stock_phrases) * _POINTS_PER_STOCK_PHRASE
    return 100 - min(extra, _MAX_LENGTH_PENALTY) - min(stock, _MAX_STOCK_PENALTY)


def _score(sentences: list[_Sentence]) -> Readability:
    if not sentences:
        return Readability()

    # Longer sentences weigh more: they take more of the reader's time.
    scored = [(_sentence_score(sentence), sentence) for sentence in sentences]
    total_length = sum(sentence.length for sentence in sentences)
    score = round(sum(points * sentence.length for points, sentence in scored) / total_length)
    # Sentences never share a start, so plain tuples sort the same as (score, start); only
    # the few shown become objects.
    hardest = sorted(
        (points, sentence.start, sentence.end) for points, sentence in scored if points < 100
    )
    shown = hardest[:_HARDEST_SHOWN]
    return Readability(
        score, tuple(SentenceScore(start, end, points) for points, start, end in shown)
    )


def _finding(start: int, end: int, rule: str, reason: str) -> Finding:
    return Finding(start, end, rule, Category.READABILITY, Severity.ADVICE, reason)
