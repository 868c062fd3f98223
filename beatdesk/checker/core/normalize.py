"""Normalize text for matching while remembering where every character came from.

People evade filters with full-width characters, traditional script, zero-width and filler
characters between the characters of a word. Rules match on a normalized view; every
normalized character keeps the offset of the original character it came from, so findings
point at what the user actually wrote.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from beatdesk.checker.core.traditional import TRADITIONAL_TO_SIMPLIFIED

# Line breaks and tabs separate sentences and table cells, so they survive normalization.
_KEPT_CONTROLS = frozenset("\n\r\t")

# Characters that render as blanks but are letters to Unicode, a favourite filler.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

# Categories dropped outright: controls, invisible format characters (zero-width space and
# joiners, BOM, bidi marks, soft hyphen), unassigned code points such as U+FFFE, and the
# combining marks people stack on characters to break a match.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Mn", "Me"})

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Fillers between two Chinese characters are dropped in the term view: blanks, dashes,
# dots, slashes, stars and emoji. Sentence punctuation is not a filler, so terms never
# join across a comma or a full stop.
_FILLER = (
    r"[ \t*._\-~·•・|/\\'\"`^+=#@$%&<>"
    r"\u2010-\u2015\u2190-\u21ff\u2500-\u27bf\U0001f000-\U0001faff]"
)
# One to three fillers with a Chinese character on each side. The first filler comes before
# the look back at the character preceding it, so the search skips from filler to filler
# instead of trying the look back at every position; the matches are the same.
_FILLER_RUN = re.compile(rf"{_FILLER}(?<=[{_CJK}].){_FILLER}{{0,2}}(?=[{_CJK}])")

# Only ASCII capitals are lowered: lowering other scripts can change a text's length.
_ASCII_CAPITALS = re.compile(r"[A-Z]+")

# Blocks where nearly every character of a Chinese post lies: Latin, punctuation and symbols,
# CJK punctuation and kana, and the unified ideographs. Their characters that fold to
# themselves are proven so once, so a text made of them alone needs no folding at all.
_SCREENED_BLOCKS = ((0x00, 0x24F), (0x2000, 0x2BFF), (0x3000, 0x30FF), (0x4E00, 0x9FFF))

# What each character seen so far folds to, learnt lazily: characters that fold to another
# single character, and characters that vanish or expand and so move the offsets after them.
_replacements: dict[str, str] = {}
_reshaping: set[str] = set()
_examined: set[str] = set()


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalized view of a text; `offsets[i]` is where `text[i]` came from."""

    text: str
    offsets: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the span `[start, end)` of this view back to the original text."""
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize(text: str) -> NormalizedText:
    """Apply NFKC, fold traditional script and drop invisible characters, keeping offsets."""
    characters = _characters_to_examine(text)
    if not characters:
        return NormalizedText(text, range(len(text)))
    for character in characters - _examined:
        _examine(character)

    # Most characters that fold at all fold to exactly one character (full-width
    # punctuation, traditional script), so a few whole-string replaces keep every offset.
    for character in characters.intersection(_replacements):
        text = text.replace(character, _replacements[character])
    reshaping = _reshaping.intersection(characters)
    if not reshaping:
        return NormalizedText(text, range(len(text)))
    return _reshape(text, reshaping)


def fold_for_terms(view: NormalizedText) -> NormalizedText:
    """Lowercase ASCII and drop filler runs between Chinese characters, for term matching."""
    lowered = _ASCII_CAPITALS.sub(lambda match: match.group().lower(), view.text)
    fillers = list(_FILLER_RUN.finditer(lowered))
    if not fillers:
        return NormalizedText(lowered, view.offsets)

    kept = _spans_outside(len(lowered), [match.span() for match in fillers])
    offsets: list[int] = []
    for start, end in kept:
        offsets.extend(view.offsets[start:end])
    return NormalizedText("".join(lowered[start:end] for start, end in kept), offsets)


def normalize_term(term: str) -> str:
    """Return a lexicon term the way the term view spells it, so both sides compare."""
    return fold_for_terms(normalize(term)).text.strip()


def _reshape(text: str, reshaping: set[str]) -> NormalizedText:
    # One ellipsis in a post is enough to come here, so only the characters that vanish or
    # expand are folded one by one and the text between them is copied whole: no character
    # folds to one of them, so the replaces already made have folded that text completely.
    folds = {character: _fold_uncached(character) for character in reshaping}
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for index in sorted(_positions_of(reshaping, text)):
        folded = folds[text[index]]
        pieces += (text[position:index], folded)
        offsets += range(position, index)
        offsets += [index] * len(folded)
        position = index + 1
    pieces.append(text[position:])
    offsets += range(position, len(text))
    return NormalizedText("".join(pieces), offsets)


def _positions_of(characters: set[str], text: str) -> Iterator[int]:
    for character in characters:
        index = text.find(character)
        while index >= 0:
            yield index
            index = text.find(character, index + 1)


def _characters_to_examine(text: str) -> set[str]:
    """Return the distinct characters of `text` not proven to fold to themselves.

    A set of the whole text would build a string object for every character, which costs
    more than the rest of normalization; instead the regular expression finds the first
    unproven character, and each one found is blanked out of a scratch copy before looking
    again, so the loop runs once per distinct character.
    """
    pattern = _unproven_character()
    scratch = text
    found: set[str] = set()
    match = pattern.search(scratch)
    while match is not None:
        character = match.group()
        found.add(character)
        # A space is proven, so the next search never stops at a blanked character.
        scratch = scratch.replace(character, " ")
        match = pattern.search(scratch, match.start() + 1)
    return found


@functools.cache
def _unproven_character() -> re.Pattern[str]:
    # Built on first use: examining the screened blocks takes a few hundredths of a second.
    ranges: list[list[int]] = []
    for first, last in _SCREENED_BLOCKS:
        for code_point in range(first, last + 1):
            if not _folds_to_itself(chr(code_point)):
                continue
            if ranges and ranges[-1][1] == code_point - 1:
                ranges[-1][1] = code_point
            else:
                ranges.append([code_point, code_point])
    proven = "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in ranges)
    return re.compile(f"[^{proven}]")


def _folds_to_itself(character: str) -> bool:
    # A quicker test than `_fold_uncached(character) == character`, and never true where that
    # is false; being stricter only sends a character down the exact path.
    return character in _KEPT_CONTROLS or (
        character not in _BLANK_LETTERS
        and character not in TRADITIONAL_TO_SIMPLIFIED
        and unicodedata.category(character) not in _DROPPED_CATEGORIES
        and unicodedata.is_normalized("NFKC", character)
    )


def _examine(character: str) -> None:
    folded = _fold_uncached(character)
    if len(folded) != 1:
        _reshaping.add(character)
    elif folded != character:
        _replacements[character] = folded
    _examined.add(character)


def _fold_uncached(character: str) -> str:
    if character in _KEPT_CONTROLS:
        return character
    if character in _BLANK_LETTERS or unicodedata.category(character) in _DROPPED_CATEGORIES:
        return ""

    compatible = unicodedata.normalize("NFKC", character)
    return "".join(
        TRADITIONAL_TO_SIMPLIFIED.get(part, part)
        for part in compatible
        if unicodedata.category(part) not in _DROPPED_CATEGORIES
    )


def _spans_outside(length: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    position = 0
    for start, end in holes:
        kept.append((position, start))
        position = end
    kept.append((position, length))
    return kept
