"""Measure the wrong-character rule on CSCD-IME's development set with 5-fold cross-validation.

Run from the repository root: `.venv/bin/python bench/wrong_characters.py`.

Each line of bench/data/cscd-ime-dev.tsv is `label<TAB>original<TAB>corrected`; label 1
means the original has at least one wrong character. Line i belongs to fold i % 5. For each
fold, the two settings of `WrongCharacterSettings` are chosen on the other four folds (the
most recall while at most 2% of correct sentences are flagged) and then measured on the fold
itself, so no figure comes from lines the settings were chosen on.
"""

import itertools
import time
from dataclasses import dataclass
from pathlib import Path

from beatdesk.checker.core.normalize import normalize
from beatdesk.checker.core.wrong_characters import (
    DEFAULT_SETTINGS,
    Suspect,
    WrongCharacterSettings,
    find_suspects,
    load_vocabulary,
)

DATA = Path(__file__).resolve().parent / "data" / "cscd-ime-dev.tsv"
FOLDS = 5
MAX_FALSE_FLAG_RATE = 0.02
GAINS = [step / 2 for step in range(0, 41)]
CHARACTER_FREQUENCIES = [0, 100, 1000, 5000, 20000]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One line of the file with the rule's suspects in original offsets."""

    wrong: bool
    wrong_positions: frozenset[int]
    suspects: tuple[tuple[int, float, int], ...]


@dataclass(slots=True)
class Counts:
    """Sentence-level outcomes; `exact` counts wrong sentences whose flags were all right."""

    flagged_wrong: int = 0
    flagged_correct: int = 0
    wrong: int = 0
    correct: int = 0
    exact: int = 0

    def add(self, other: "Counts") -> None:
        """Add another count to this one."""
        self.flagged_wrong += other.flagged_wrong
        self.flagged_correct += other.flagged_correct
        self.wrong += other.wrong
        self.correct += other.correct
        self.exact += other.exact

    @property
    def recall(self) -> float:
        return self.flagged_wrong / max(1, self.wrong)

    @property
    def precision(self) -> float:
        return self.flagged_wrong / max(1, self.flagged_wrong + self.flagged_correct)

    @property
    def false_flag_rate(self) -> float:
        return self.flagged_correct / max(1, self.correct)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def exact_precision(self) -> float:
        return self.exact / max(1, self.flagged_wrong + self.flagged_correct)

    @property
    def exact_recall(self) -> float:
        return self.exact / max(1, self.wrong)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def read_sentences() -> list[Sentence]:
    """Read the file and find every suspect, however unsure, once."""
    vocabulary = load_vocabulary()
    sentences = []
    with DATA.open(encoding="utf-8") as lines:
        for line in lines:
            label, original, corrected = line.rstrip("\n").split("\t")
            view = normalize(original)
            suspects: list[Suspect] = list(find_suspects(view.text, vocabulary))
            sentences.append(
                Sentence(
                    wrong=label == "1",
                    wrong_positions=frozenset(
                        i
                        for i, (a, b) in enumerate(zip(original, corrected, strict=True))
                        if a != b
                    ),
                    suspects=tuple(
                        (view.offsets[s.position], s.gain, s.character_frequency) for s in suspects
                    ),
                )
            )
    return sentences


def count(sentences: list[Sentence], settings: WrongCharacterSettings) -> Counts:
    """Count sentence-level outcomes of the rule with the given settings."""
    counts = Counts()
    for sentence in sentences:
        flags = {
            position
            for position, gain, frequency in sentence.suspects
            if gain > settings.min_gain and frequency >= settings.min_character_frequency
        }
        if sentence.wrong:
            counts.wrong += 1
            counts.flagged_wrong += bool(flags)
            counts.exact += bool(flags) and flags <= sentence.wrong_positions
        else:
            counts.correct += 1
            counts.flagged_correct += bool(flags)
    return counts


def choose_settings(sentences: list[Sentence]) -> WrongCharacterSettings:
    """Return the settings with the most recall whose false flags stay within the limit."""
    best, best_key = DEFAULT_SETTINGS, (-1.0, -1.0)
    for gain, frequency in itertools.product(GAINS, CHARACTER_FREQUENCIES):
        settings = WrongCharacterSettings(gain, frequency)
        counts = count(sentences, settings)
        key = (counts.recall, counts.precision)
        if counts.false_flag_rate <= MAX_FALSE_FLAG_RATE and key > best_key:
            best, best_key = settings, key
    return best


def row(name: str, counts: Counts) -> str:
    """Format one line of the results table."""
    return (
        f"| {name} | {counts.precision:.1%} | {counts.recall:.1%} | {counts.f1:.1%} "
        f"| {counts.false_flag_rate:.2%} | {counts.exact_precision:.1%} "
        f"| {counts.exact_recall:.1%} |"
    )


def main() -> None:
    """Print the cross-validated table, the chosen settings and the speed."""
    started = time.perf_counter()
    sentences = read_sentences()
    seconds = time.perf_counter() - started
    characters = sum(len(line.split("\t")[1]) for line in DATA.read_text("utf-8").splitlines())

    print(
        "| folds | precision | recall | F1 | correct sentences flagged "
        "| exact precision | exact recall |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    pooled = Counts()
    for fold in range(FOLDS):
        training = [s for i, s in enumerate(sentences) if i % FOLDS != fold]
        held_out = [s for i, s in enumerate(sentences) if i % FOLDS == fold]
        settings = choose_settings(training)
        counts = count(held_out, settings)
        pooled.add(counts)
        print(
            row(
                f"fold {fold} (gain > {settings.min_gain}, "
                f"frequency >= {settings.min_character_frequency})",
                counts,
            )
        )
    print(row("**5-fold pooled**", pooled))
    print(row("shipped defaults, in sample", count(sentences, DEFAULT_SETTINGS)))
    print()
    print(
        f"sentences={len(sentences)} characters={characters} seconds={seconds:.1f} "
        f"(includes loading the data; suspects found with no thresholds)"
    )


if __name__ == "__main__":
    main()
