"""Generate the wrong-character rule's data files.

Run from the repository root with jieba and pypinyin installed (neither is needed at run
time): `.venv/bin/python -m scripts.generate_wrong_character_data`. It rewrites
beatdesk/checker/data/character_readings.tsv.gz and word_frequencies.tsv.gz from jieba's
and pypinyin's bundled data, then wrong_character_corrections.tsv.gz from the whole of
bench/data/cscd-ime-dev.tsv: the corrections are counted on all 5,000 lines, and the
logistic weights and the default threshold are fitted on candidates of each fold scored by
corrections learned from the other four, as the cross-validation in
bench/wrong_characters.py does. The versions used are recorded in
beatdesk/checker/data/SOURCES.md.
"""

import gzip
import importlib.metadata
from pathlib import Path

import jieba  # type: ignore[import-untyped]
from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from beatdesk.checker.core.wrong_characters import (
    Corrections,
    load_vocabulary,
    write_corrections,
)
from bench.wrong_characters import (
    FOLDS,
    choose_threshold,
    fit,
    fold_of,
    learn,
    learn_folds,
    other_folds,
    read_lines,
    score_lines,
)

DATA = Path(__file__).resolve().parent.parent / "beatdesk" / "checker" / "data"

# Words rarer than this in jieba's counts are mostly names and fixed phrases of one text.
MIN_WORD_FREQUENCY = 5
# The rule looks at words of two to four characters; one-character words feed segmentation.
MAX_WORD_LENGTH = 4


def is_cjk(character: str) -> bool:
    """Return whether a character is in the CJK Unified Ideographs block."""
    return "\u4e00" <= character <= "\u9fff"


def read_jieba_words() -> dict[str, int]:
    """Return jieba's bundled word counts for short all-Chinese words."""
    path = Path(jieba.__file__).parent / "dict.txt"
    words: dict[str, int] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, frequency = line.split()[:2]
            short = len(word) <= MAX_WORD_LENGTH and all(map(is_cjk, word))
            if short and int(frequency) >= MIN_WORD_FREQUENCY:
                words[word] = int(frequency)
    return words


def character_readings() -> dict[str, list[str]]:
    """Return each CJK character's toneless pinyin readings, as an input method types them."""
    readings: dict[str, list[str]] = {}
    for code_point in sorted(pinyin_dict):
        character = chr(code_point)
        if is_cjk(character):
            found = pinyin(character, style=Style.NORMAL, heteronym=True, errors="ignore")
            if found:
                readings[character] = sorted(set(found[0]))
    return readings


def write_gzip(name: str, lines: list[str]) -> None:
    """Write lines to a gzip file whose bytes do not depend on the time of the run."""
    with gzip.GzipFile(DATA / name, "wb", mtime=0) as output:
        output.write(("\n".join(lines) + "\n").encode("utf-8"))


def write_corrections_file() -> None:
    """Learn the corrections from the whole benchmark file and write them with the weights."""
    lines = read_lines()
    scored = []
    for fold in range(FOLDS):
        scored += score_lines(fold_of(lines, fold), learn_folds(other_folds(lines, fold)))
    weights = fit(scored)
    threshold = choose_threshold(scored, weights)

    # The threshold goes into the bias, so the rule's default setting is a score above zero.
    shifted = (weights[0] - threshold, *weights[1:])
    corrections = learn(lines).corrections
    write_gzip(
        "wrong_character_corrections.tsv.gz",
        write_corrections(
            Corrections(
                corrections.pairs,
                corrections.contexts,
                corrections.characters,
                corrections.grams,
                shifted,
            )
        ),
    )
    print(f"pairs={len(corrections.pairs)} grams={len(corrections.grams)} weights={shifted}")


def main() -> None:
    """Write the data files and print their sizes."""
    readings = character_readings()
    words = {w: f for w, f in read_jieba_words().items() if all(c in readings for c in w)}

    write_gzip(
        "character_readings.tsv.gz",
        [f"{character}\t{' '.join(found)}" for character, found in readings.items()],
    )
    # A word's own reading decides a polyphonic character (银行 is yin hang, not yin xing).
    write_gzip(
        "word_frequencies.tsv.gz",
        [
            f"{word}\t{frequency}\t{' '.join(lazy_pinyin(word, style=Style.NORMAL))}"
            for word, frequency in sorted(words.items())
        ],
    )
    versions = {name: importlib.metadata.version(name) for name in ("jieba", "pypinyin")}
    print(f"characters={len(readings)} words={len(words)} versions={versions}")
    load_vocabulary.cache_clear()
    write_corrections_file()


if __name__ == "__main__":
    main()
