"""Generate the checker's traditional-to-simplified character table from OpenCC's data.

Run from the repository root with the bench extra installed (the package is not needed at
run time): `.venv/bin/python -m scripts.generate_traditional_table`. It rewrites
beatdesk/checker/data/traditional_characters.tsv from the character tables that
opencc-python-reimplemented ships (OpenCC's `TSCharacters.txt` and `STCharacters.txt`).

A character is folded only when it is never right in simplified text, so folding cannot
change what a simplified sentence says. OpenCC marks the others itself: where a traditional
character is also one of its own simplified forms (乾 for 乾坤, 於 as a surname), the
character is among its own candidates, and where it is a simplified character with
traditional forms of its own, it heads a line of the simplified-to-traditional table. Both
kinds are left out. Of several simplified candidates the first, OpenCC's usual one, is kept.
"""

import importlib.metadata
import importlib.util
from pathlib import Path

PACKAGE = "opencc-python-reimplemented"
TARGET = (
    Path(__file__).resolve().parent.parent
    / "beatdesk"
    / "checker"
    / "data"
    / "traditional_characters.tsv"
)


def main() -> None:
    """Read OpenCC's tables, keep the safe folds, and write the table."""
    dictionaries = opencc_dictionaries()
    traditional = read_table(dictionaries / "TSCharacters.txt")
    simplified = read_table(dictionaries / "STCharacters.txt")
    folds = safe_folds(traditional, simplified)
    lines = [f"{character}\t{folded}" for character, folded in sorted(folds.items())]
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    version = importlib.metadata.version(PACKAGE)
    print(f"{TARGET.name}: {len(folds)} characters from {PACKAGE} {version}")
    print(f"left out: {''.join(sorted(set(traditional) - set(folds)))}")


def opencc_dictionaries() -> Path:
    """Return the folder of the installed package's dictionary files."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        raise SystemExit(f"Install the bench extra first: .venv/bin/pip install {PACKAGE}")
    folder = Path(spec.origin).parent / "dictionary"
    if not (folder / "TSCharacters.txt").is_file():
        raise SystemExit(f"The installed opencc package is not {PACKAGE}; install that one.")
    return folder


def read_table(path: Path) -> dict[str, list[str]]:
    """Return each character of the table with its candidates, in the file's order."""
    table: dict[str, list[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        character, _tab, candidates = line.partition("\t")
        if len(character) != 1 or not candidates:
            raise SystemExit(f"{path.name}, line {number}: not one character and its forms")
        table[character] = candidates.split(" ")
    return table


def safe_folds(
    traditional: dict[str, list[str]], simplified: dict[str, list[str]]
) -> dict[str, str]:
    """Return the folds of characters that are never right in simplified text."""
    folds = {
        character: candidates[0]
        for character, candidates in traditional.items()
        if character not in candidates and character not in simplified and len(candidates[0]) == 1
    }
    # Normalization folds each character once, so no fold may lead to another folded one.
    chained = sorted(character for character, folded in folds.items() if folded in folds)
    if chained:
        raise SystemExit(f"These folds lead to characters that fold again: {chained}")
    return folds


if __name__ == "__main__":
    main()
