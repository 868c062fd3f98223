"""Rule family 4: wrong characters typed with a pinyin input method.

A pinyin input method offers every character of a sound, and a hurried writer picks the
wrong one (惟一 for 唯一, 带着墨镜 for 戴着墨镜). The rule knows which characters writers
confuse from corrected sentences: each pair of a character as written and the character of
the same sound that should have stood there, with how often it happened and in which
neighbourhood. For every character with such a known replacement it weighs a few pieces of
evidence with a logistic model: how much a character trigram model of corrected sentences
prefers the replacement, how much more likely jieba's word counts make the stretch around
it, how often the pair was corrected and how common the written character is.

The word counts and readings come from packages' bundled files, the corrections and the
trigram counts from the CSCD-IME development set; scripts/generate_wrong_character_data.py
writes them (see beatdesk/checker/data/SOURCES.md). Learning lives here too, so that the
generator and the cross-validation in bench/wrong_characters.py learn the same way. The
data are read once, when the rule first runs, and take about 95 MB of memory.
"""

import gzip
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from beatdesk.checker.core.findings import Category, Finding, Severity
from beatdesk.checker.core.messages import gettext_noop
from beatdesk.checker.core.normalize import NormalizedText, normalize

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_MAX_WORD_LENGTH = 4
# How many characters on each side of a candidate the segmentation comparison reads.
_CONTEXT = 5
# Marks for the start and the end of a text in the trigram model; neither occurs in text.
_START, _END = "\x02", "\x03"
# Absolute discount of the interpolated trigram model, the usual Kneser-Ney value.
_DISCOUNT = 0.75
# Unigram counts are smoothed as if this many characters were possible.
_CHARACTER_SET_SIZE = 20_000
# A replacement the trigram model likes this much less is not worth segmenting the text
# for; learning drops the same candidates, so the weights fit what the rule sees.
_MIN_LANGUAGE_MODEL_GAIN = -2.0
# A pair seen once in thousands of uses of the written character (的 for 地) is skipped
# before any model runs: it saves about half the time and under 5% of the true corrections.
_MIN_LOG_PAIR_SHARE = -6.0

FEATURES = (
    "language_model_gain",
    "segmentation_gain",
    "log_pair_count",
    "log_pair_share",
    "log_character_frequency",
    "log_context_count",
    "log_context_seen",
)

WRONG_CHARACTER_REASON = gettext_noop(
    "This character may be a wrong one of the same sound; check the suggested character."
)


@dataclass(frozen=True, slots=True)
class WrongCharacterSettings:
    """How sure the rule must be before it speaks.

    `min_score` is the log-odds the logistic model must exceed for a replacement. The
    default is the one chosen on the whole CSCD-IME development set to flag at most 1.25% of
    its correct sentences, as each cross-validation fold does on its training folds; see
    bench/RESULTS.md for the held-out figures.
    """

    min_score: float = 0.0


DEFAULT_SETTINGS = WrongCharacterSettings()


@dataclass(frozen=True, slots=True)
class Suspect:
    """A character of the normalized text, its likeliest replacement and the evidence."""

    position: int
    replacement: str
    features: tuple[float, ...]
    score: float


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Word log-probabilities, word counts and characters' toneless readings (from jieba
    and pypinyin)."""

    log_probabilities: dict[str, float]
    frequencies: dict[str, int]
    readings: dict[str, frozenset[str]]
    unknown_log_probability: float


@dataclass(frozen=True, slots=True)
class Corrections:
    """What corrected sentences teach: confused pairs and a character trigram model.

    `pairs` counts (written, right) characters; `contexts` counts (written bigram, right
    character) for the bigrams either side of a correction; `characters` counts characters as
    written; `grams` counts the one- to three-character grams of the corrected sentences.
    """

    pairs: dict[tuple[str, str], int]
    contexts: dict[tuple[str, str], int]
    characters: dict[str, int]
    grams: dict[str, int]
    weights: tuple[float, ...] = (0.0,) * (len(FEATURES) + 1)


@dataclass(frozen=True, slots=True)
class Model:
    """Corrections with the tables derived from them for fast look-ups."""

    vocabulary: Vocabulary
    corrections: Corrections
    replacements: dict[str, tuple[str, ...]]
    histories: dict[str, int]
    followers: dict[str, int]
    total: int


@cache
def load_vocabulary() -> Vocabulary:
    """Read the bundled word counts and readings once per process."""
    data = resources.files("beatdesk.checker").joinpath("data")
    frequencies: dict[str, int] = {}
    for line in _gzip_lines(data.joinpath("word_frequencies.tsv.gz").read_bytes()):
        word, frequency, _reading = line.split("\t")
        frequencies[word] = int(frequency)

    readings = {}
    for line in _gzip_lines(data.joinpath("character_readings.tsv.gz").read_bytes()):
        character, found = line.split("\t")
        readings[character] = frozenset(found.split(" "))

    log_total = math.log(sum(frequencies.values()))
    return Vocabulary(
        log_probabilities={word: math.log(f) - log_total for word, f in frequencies.items()},
        frequencies=frequencies,
        readings=readings,
        unknown_log_probability=-log_total,
    )


@cache
def load_model() -> Model:
    """Read the bundled corrections and weights once per process."""
    data = resources.files("beatdesk.checker").joinpath("data")
    compressed = data.joinpath("wrong_character_corrections.tsv.gz").read_bytes()
    return build_model(read_corrections(_gzip_lines(compressed)), load_vocabulary())


def _gzip_lines(compressed: bytes) -> list[str]:
    return gzip.decompress(compressed).decode("utf-8").splitlines()


def read_corrections(lines: Iterable[str]) -> Corrections:
    """Parse the lines written by `write_corrections`."""
    pairs: dict[tuple[str, str], int] = {}
    contexts: dict[tuple[str, str], int] = {}
    characters: dict[str, int] = {}
    grams: dict[str, int] = {}
    weights: dict[str, float] = {}
    for line in lines:
        kind, *fields = line.split("\t")
        *keys, value = [_unescape(field) for field in fields]
        if kind == "pair":
            pairs[keys[0], keys[1]] = int(value)
        elif kind == "context":
            contexts[keys[0], keys[1]] = int(value)
        elif kind == "character":
            characters[keys[0]] = int(value)
        elif kind == "gram":
            grams[keys[0]] = int(value)
        elif kind == "weight":
            weights[keys[0]] = float(value)
    ordered = tuple(weights[name] for name in ("bias", *FEATURES))
    return Corrections(pairs, contexts, characters, grams, ordered)


def write_corrections(corrections: Corrections) -> list[str]:
    """Return the lines of the data file, in a stable order; tabs and line breaks in the
    written text are escaped."""
    names = ("bias", *FEATURES)
    tables: list[tuple[str, Iterable[tuple[tuple[str, ...], object]]]] = [
        (
            "weight",
            (((name,), value) for name, value in zip(names, corrections.weights, strict=True)),
        ),
        ("pair", sorted(corrections.pairs.items())),
        ("context", sorted(corrections.contexts.items())),
        ("character", (((a,), n) for a, n in sorted(corrections.characters.items()))),
        ("gram", (((a,), n) for a, n in sorted(corrections.grams.items()))),
    ]
    return [
        "\t".join([kind, *(_escape(key) for key in keys), repr(value)])
        for kind, rows in tables
        for keys, value in rows
    ]


def _escape(gram: str) -> str:
    return gram.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _unescape(gram: str) -> str:
    if "\\" not in gram:
        return gram
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), gram)


def learn_corrections(sentences: Iterable[tuple[str, str]], vocabulary: Vocabulary) -> Corrections:
    """Count confused pairs and trigrams in (original, corrected) sentences of one length.

    Only pairs of Chinese characters that share a reading are kept: the finding's message
    says the suggested character sounds the same.
    """
    pairs: Counter[tuple[str, str]] = Counter()
    contexts: Counter[tuple[str, str]] = Counter()
    characters: Counter[str] = Counter()
    grams: Counter[str] = Counter()
    for original, corrected in sentences:
        written, right = normalize(original).text, normalize(corrected).text
        characters.update(written)
        grams.update(_grams(_START * 2 + right + _END))
        if len(written) != len(right):
            continue
        for position in _differences(written, right):
            pair = written[position], right[position]
            if _same_sound(pair, vocabulary):
                pairs[pair] += 1
                for bigram in _bigrams_around(written, position):
                    contexts[bigram, right[position]] += 1
    return Corrections(dict(pairs), dict(contexts), dict(characters), dict(grams))


def _differences(written: str, right: str) -> list[int]:
    return [i for i, (a, b) in enumerate(zip(written, right, strict=False)) if a != b]


def _same_sound(pair: tuple[str, str], vocabulary: Vocabulary) -> bool:
    first, second = (vocabulary.readings.get(c, frozenset()) for c in pair)
    return bool(first & second) and all(_CJK_RUN.fullmatch(c) for c in pair)


def _bigrams_around(text: str, position: int) -> list[str]:
    left = [text[position - 1 : position + 1]] if position > 0 else []
    right = [text[position : position + 2]] if position + 1 < len(text) else []
    return left + right


def _grams(text: str) -> Iterator[str]:
    for length in (1, 2, 3):
        start = 0 if length == 3 else 2 - length + 1
        for index in range(start, len(text) - length + 1):
            yield text[index : index + length]


def build_model(corrections: Corrections, vocabulary: Vocabulary) -> Model:
    """Derive the look-up tables of the trigram model and the replacements of each character."""
    histories: Counter[str] = Counter()
    followers: Counter[str] = Counter()
    for gram, count in corrections.grams.items():
        if len(gram) > 1:
            histories[gram[:-1]] += count
            followers[gram[:-1]] += 1

    replacements: dict[str, list[str]] = {}
    for written, right in sorted(corrections.pairs):
        replacements.setdefault(written, []).append(right)
    total = sum(n for gram, n in corrections.grams.items() if len(gram) == 1)
    return Model(
        vocabulary,
        corrections,
        {written: tuple(found) for written, found in replacements.items()},
        dict(histories),
        dict(followers),
        total,
    )


def find_wrong_characters(
    view: NormalizedText, settings: WrongCharacterSettings = DEFAULT_SETTINGS
) -> Iterator[Finding]:
    """Yield advice on each character that is probably a wrong one of the same sound."""
    for suspect in find_suspects(view.text, load_model()):
        if suspect.score <= settings.min_score:
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


def find_suspects(text: str, model: Model) -> Iterator[Suspect]:
    """Yield the best-scored replacement of every character that has one, however unsure."""
    padded = _START * 2 + text + _END
    # The log-probability of each character of the text given the two before it, computed
    # once: the windows of neighbouring candidates share most of their trigrams.
    written = [_log_probability(padded, index, model) for index in range(len(padded))]
    for run in _CJK_RUN.finditer(text):
        for position in range(run.start(), run.end()):
            candidates = list(_candidates(padded, written, run, position, model))
            if candidates:
                yield max(candidates, key=lambda suspect: suspect.score)


def _candidates(
    padded: str, written: list[float], run: re.Match[str], position: int, model: Model
) -> Iterator[Suspect]:
    replacements = model.replacements.get(padded[position + 2], ())
    if not replacements:
        return
    pairs, uses = (
        model.corrections.pairs,
        model.corrections.characters.get(padded[position + 2], 0),
    )
    # The trigrams that contain the character: the only ones its replacement changes.
    end = min(len(padded), position + 5)
    original = sum(written[position + 2 : end])
    for replacement in replacements:
        if math.log(pairs[padded[position + 2], replacement] / (uses + 1)) < _MIN_LOG_PAIR_SHARE:
            continue
        window = padded[position : position + 2] + replacement + padded[position + 3 : end]
        gain = sum(_log_probability(window, i, model) for i in range(2, len(window))) - original
        if gain <= _MIN_LANGUAGE_MODEL_GAIN:
            continue
        features = _features(run, position, replacement, gain, model)
        yield Suspect(position, replacement, features, score(features, model.corrections.weights))


def score(features: Sequence[float], weights: Sequence[float]) -> float:
    """Return the logistic model's log-odds: the bias plus the weighted features."""
    return weights[0] + sum(w * f for w, f in zip(weights[1:], features, strict=True))


def _features(
    run: re.Match[str], position: int, replacement: str, gain: float, model: Model
) -> tuple[float, ...]:
    text = run.string
    written = text[position]
    corrections = model.corrections
    pair_count = corrections.pairs[written, replacement]
    bigrams = _bigrams_around(text, position)
    context_count = sum(corrections.contexts.get((b, replacement), 0) for b in bigrams)
    context_seen = sum(corrections.grams.get(b, 0) for b in bigrams)
    return (
        gain,
        _segmentation_gain(run, position, replacement, model.vocabulary),
        math.log(pair_count),
        math.log(pair_count / (corrections.characters.get(written, 0) + 1)),
        math.log1p(model.vocabulary.frequencies.get(written, 0)),
        math.log1p(context_count),
        math.log1p(context_seen),
    )


def _log_probability(text: str, index: int, model: Model) -> float:
    """Return the trigram model's log-probability of `text[index]` after the two before it."""
    if index < 2:
        return 0.0
    grams, histories = model.corrections.grams, model.histories
    character = text[index]
    probability = (grams.get(character, 0) + 0.5) / (model.total + 0.5 * _CHARACTER_SET_SIZE)
    for context in (text[index - 1], text[index - 2 : index]):
        seen = histories.get(context)
        if seen:
            count = max(grams.get(context + character, 0) - _DISCOUNT, 0.0)
            probability = (count + _DISCOUNT * model.followers[context] * probability) / seen
    return math.log(probability)


def _segmentation_gain(
    run: re.Match[str], position: int, replacement: str, vocabulary: Vocabulary
) -> float:
    # Comparing a few characters on each side keeps the cost flat in the run's length and
    # lets the neighbours vote: 警房查出 gains from 警方, 房价上涨 would lose its 房价.
    start = max(run.start(), position - _CONTEXT)
    end = min(run.end(), position + _CONTEXT + 1)
    text = run.string
    original = text[start:end]
    replaced = text[start:position] + replacement + text[position + 1 : end]
    return _segment(replaced, vocabulary) - _segment(original, vocabulary)


def _segment(text: str, vocabulary: Vocabulary) -> float:
    """Return the log-probability of the likeliest split of a text into words."""
    log_probabilities = vocabulary.log_probabilities
    best = [0.0] + [-math.inf] * len(text)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - _MAX_WORD_LENGTH), end):
            found = log_probabilities.get(text[start:end])
            if found is None:
                if end - start > 1:
                    continue
                found = vocabulary.unknown_log_probability
            best[end] = max(best[end], best[start] + found)
    return best[len(text)]


def fit_weights(
    examples: Sequence[tuple[Sequence[float], bool]], iterations: int = 150
) -> tuple[float, ...]:
    """Fit a logistic model by gradient descent on standardized features; return the bias
    and the weights in the features' own units."""
    columns = list(zip(*(features for features, _ in examples), strict=True))
    means = [sum(column) / len(column) for column in columns]
    spreads = [_spread(column, mean) for column, mean in zip(columns, means, strict=True)]
    rows = [
        ([(f - m) / s for f, m, s in zip(features, means, spreads, strict=True)], float(label))
        for features, label in examples
    ]
    bias, weights = _descend(rows, len(columns), iterations)

    scaled = [w / s for w, s in zip(weights, spreads, strict=True)]
    shift = sum(w * m for w, m in zip(scaled, means, strict=True))
    return (bias - shift, *scaled)


def _spread(column: Sequence[float], mean: float) -> float:
    return math.sqrt(sum((value - mean) ** 2 for value in column) / len(column)) or 1.0


def _descend(
    rows: list[tuple[list[float], float]], width: int, iterations: int
) -> tuple[float, list[float]]:
    rate, penalty = 0.5, 1e-3
    bias, weights = 0.0, [0.0] * width
    for _ in range(iterations):
        bias_gradient, gradient = 0.0, [0.0] * width
        for features, label in rows:
            logit = bias + sum(w * f for w, f in zip(weights, features, strict=True))
            error = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit)))) - label
            bias_gradient += error
            gradient = [g + error * f for g, f in zip(gradient, features, strict=True)]
        bias -= rate * bias_gradient / len(rows)
        weights = [
            w - rate * (g / len(rows) + penalty * w)
            for w, g in zip(weights, gradient, strict=True)
        ]
    return bias, weights
