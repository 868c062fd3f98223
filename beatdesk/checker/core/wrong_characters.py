"""Rule family 4: wrong characters typed with a pinyin input method.

A pinyin input method offers every character of a sound, and a hurried writer picks the
wrong one (警房 for 警方). The rule segments each run of Chinese characters into words with
jieba's word counts. A character left standing alone, outside any word, is suspect; if a
character of the same sound would join it with its neighbours into a common word and make
the stretch around it much more likely, the rule suggests that character.

The data come from packages' bundled files, turned into two compact files by
scripts/generate_wrong_character_data.py (see beatdesk/checker/data/SOURCES.md). They are
read once, when the rule first runs, and take about 50 MB of memory.
"""

import gzip
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from beatdesk.checker.core.findings import Category, Finding, Severity
from beatdesk.checker.core.messages import gettext_noop
from beatdesk.checker.core.normalize import NormalizedText

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_MAX_WORD_LENGTH = 4
# How many characters on each side of a candidate word the comparison reads.
_CONTEXT = 4
# A stretch with many polyphonic characters would multiply readings; so many are plenty.
_MAX_READING_COMBINATIONS = 16

WRONG_CHARACTER_REASON = gettext_noop(
    "This character may be a wrong one of the same sound; check the suggested character."
)


@dataclass(frozen=True, slots=True)
class WrongCharacterSettings:
    """How sure the rule must be before it speaks.

    `min_gain` is the natural log of how many times more likely the stretch becomes with
    the suggested character; `min_character_frequency` spares rare characters, which are
    usually in names and on purpose. The defaults are the setting most often chosen by the
    5-fold cross-validation on the CSCD-IME development set, which flags 1.75% of its correct
    sentences; see bench/RESULTS.md.
    """

    min_gain: float = 10.5
    min_character_frequency: int = 100


DEFAULT_SETTINGS = WrongCharacterSettings()


@dataclass(frozen=True, slots=True)
class Suspect:
    """A character of the normalized text and the same-sound character that fits better."""

    position: int
    replacement: str
    word: str
    gain: float
    character_frequency: int


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Word log-probabilities, words by their toneless pinyin, and characters' readings."""

    log_probabilities: dict[str, float]
    frequencies: dict[str, int]
    words_by_reading: dict[str, tuple[str, ...]]
    readings: dict[str, tuple[str, ...]]
    unknown_log_probability: float


@cache
def load_vocabulary() -> Vocabulary:
    """Read the bundled data files once per process."""
    data = resources.files("beatdesk.checker").joinpath("data")
    frequencies: dict[str, int] = {}
    by_reading: dict[str, list[str]] = {}
    for line in _gzip_lines(data.joinpath("word_frequencies.tsv.gz").read_bytes()):
        word, frequency, reading = line.split("\t")
        frequencies[word] = int(frequency)
        if len(word) > 1:
            by_reading.setdefault(reading, []).append(word)

    readings = {}
    for line in _gzip_lines(data.joinpath("character_readings.tsv.gz").read_bytes()):
        character, found = line.split("\t")
        readings[character] = tuple(found.split(" "))

    log_total = math.log(sum(frequencies.values()))
    return Vocabulary(
        log_probabilities={word: math.log(f) - log_total for word, f in frequencies.items()},
        frequencies=frequencies,
        words_by_reading={reading: tuple(words) for reading, words in by_reading.items()},
        readings=readings,
        unknown_log_probability=-log_total,
    )


def _gzip_lines(compressed: bytes) -> list[str]:
    return gzip.decompress(compressed).decode("utf-8").splitlines()


def find_wrong_characters(
    view: NormalizedText, settings: WrongCharacterSettings = DEFAULT_SETTINGS
) -> Iterator[Finding]:
    """Yield advice on each character that is probably a wrong one of the same sound."""
    suspects = find_suspects(view.text, load_vocabulary(), settings.min_character_frequency)
    for suspect in suspects:
        if not _is_confident(suspect, settings):
            continue
        start, end = view.original_span(suspect.position, suspect.position + 1)
        yield Finding(
            start,
            end,
            "wrong_character.same_sound",
            Category.WRONG_CHARACTER,
            Severity.ADVICE,
            WRONG_CHARACTER_REASON,
            suspect.replacement,
        )


def _is_confident(suspect: Suspect, settings: WrongCharacterSettings) -> bool:
    return (
        suspect.gain > settings.min_gain
        and suspect.character_frequency >= settings.min_character_frequency
    )


def find_suspects(
    text: str, vocabulary: Vocabulary, min_character_frequency: int = 0
) -> Iterator[Suspect]:
    """Yield the best same-sound replacement of every suspect character, however unsure,
    skipping characters rarer than `min_character_frequency`."""
    for run in _CJK_RUN.finditer(text):
        for suspect in _suspects_in_run(run.group(), vocabulary, min_character_frequency):
            yield Suspect(
                run.start() + suspect.position,
                suspect.replacement,
                suspect.word,
                suspect.gain,
                suspect.character_frequency,
            )


def _suspects_in_run(
    run: str, vocabulary: Vocabulary, min_character_frequency: int
) -> Iterator[Suspect]:
    _, alone = _segment(run, vocabulary)
    for position, character in enumerate(run):
        if not alone[position] or character not in vocabulary.readings:
            continue
        if vocabulary.frequencies.get(character, 0) < min_character_frequency:
            continue
        candidates = list(_candidates(run, position, vocabulary))
        if candidates:
            yield max(candidates, key=lambda suspect: suspect.gain)


def _candidates(run: str, position: int, vocabulary: Vocabulary) -> Iterator[Suspect]:
    frequencies = vocabulary.frequencies
    for length in range(2, _MAX_WORD_LENGTH + 1):
        for start in range(max(0, position - length + 1), min(position, len(run) - length) + 1):
            window = run[start : start + length]
            offset = position - start
            for word in _same_sound_words(window, vocabulary):
                if not _differs_only_at(window, word, offset):
                    continue
                if frequencies[word] <= frequencies.get(window, 0):
                    continue
                yield Suspect(
                    position,
                    word[offset],
                    word,
                    _gain(run, start, window, word, vocabulary),
                    frequencies.get(run[position], 0),
                )


def _same_sound_words(window: str, vocabulary: Vocabulary) -> Iterator[str]:
    choices = [vocabulary.readings.get(character) for character in window]
    if any(found is None for found in choices):
        return
    combinations = itertools.product(*(found for found in choices if found is not None))
    for reading in itertools.islice(combinations, _MAX_READING_COMBINATIONS):
        yield from vocabulary.words_by_reading.get(" ".join(reading), ())


def _differs_only_at(window: str, word: str, offset: int) -> bool:
    return (
        word[offset] != window[offset]
        and word[:offset] == window[:offset]
        and word[offset + 1 :] == window[offset + 1 :]
    )


def _gain(run: str, start: int, window: str, word: str, vocabulary: Vocabulary) -> float:
    # Comparing a few characters on each side keeps the cost flat in the run's length and
    # lets the neighbours vote: 警房查出 gains from 警方, 房价上涨 would lose its 房价.
    before = run[max(0, start - _CONTEXT) : start]
    after = run[start + len(window) : start + len(window) + _CONTEXT]
    replaced, _ = _segment(before + word + after, vocabulary)
    original, _ = _segment(before + window + after, vocabulary)
    return replaced - original


def _segment(text: str, vocabulary: Vocabulary) -> tuple[float, list[bool]]:
    """Return the log-probability of the likeliest split into words, and which characters
    stand alone in it."""
    log_probabilities = vocabulary.log_probabilities
    best = [0.0] + [-math.inf] * len(text)
    back = [0] * (len(text) + 1)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - _MAX_WORD_LENGTH), end):
            score = log_probabilities.get(text[start:end])
            if score is None:
                if end - start > 1:
                    continue
                score = vocabulary.unknown_log_probability
            if best[start] + score > best[end]:
                best[end] = best[start] + score
                back[end] = start

    alone = [False] * len(text)
    end = len(text)
    while end > 0:
        if end - back[end] == 1:
            alone[end - 1] = True
        end = back[end]
    return best[len(text)], alone
