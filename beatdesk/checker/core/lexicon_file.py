"""Read lexicons written as UTF-8 tab-separated text, and the default lexicon shipped inside.

The format, line by line:

- Lines starting with `#` and blank lines are comments.
- The first other line is the header, exactly the column names of `COLUMNS` separated by
  tabs; every line after it is one entry.
- `term`, `category` and `reason` are required. An empty `severity` takes the category's
  default, an empty `suggestion` means none, `exceptions` holds context cues separated by
  `|`, and an empty `exception_severity` means review. Trailing empty columns may be left
  off.

Parsing is all or nothing: every malformed line is reported with its line number and no
entry is returned, so an import never half-succeeds.
"""

import functools
from importlib import resources

from beatdesk.checker.core.findings import Category, Severity
from beatdesk.checker.core.lexicon import (
    DEFAULT_SEVERITIES,
    CompiledLexicon,
    LexiconEntry,
    compile_lexicon,
)
from beatdesk.checker.core.normalize import normalize_term

COLUMNS = (
    "term",
    "category",
    "severity",
    "reason",
    "suggestion",
    "exceptions",
    "exception_severity",
)
_REQUIRED_COLUMNS = 4
# A one-character term (or one made only of invisible characters) would flag nearly every
# text, or nothing at all; neither is a wording rule.
MIN_TERM_LENGTH = 2
DEFAULT_LEXICON_FILE = "default_lexicon.tsv"


class LexiconFormatError(ValueError):
    """A lexicon file has malformed lines; `problems` lists `(line_number, message)`."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {number}: {message}" for number, message in problems))
        self.problems = problems


def parse_lexicon(text: str) -> list[LexiconEntry]:
    """Parse a whole lexicon file, or raise `LexiconFormatError` naming every bad line."""
    entries: list[LexiconEntry] = []
    problems: list[tuple[int, str]] = []
    seen: dict[tuple[str, Category], int] = {}
    for number, cells in _entry_lines(text, problems):
        try:
            entry = parse_entry(cells)
        except ValueError as error:
            problems.append((number, str(error)))
            continue
        key = (normalize_term(entry.term), entry.category)
        if len(key[0]) < MIN_TERM_LENGTH:
            problems.append(
                (number, f"{entry.term!r} is shorter than two characters once normalized.")
            )
            continue
        if key in seen:
            problems.append((number, f"{entry.term!r} repeats line {seen[key]}."))
        seen.setdefault(key, number)
        entries.append(entry)

    if problems:
        raise LexiconFormatError(problems)
    return entries


def parse_entry(cells: list[str]) -> LexiconEntry:
    """Turn the cells of one line into an entry, or raise ValueError saying what is wrong."""
    if not _REQUIRED_COLUMNS <= len(cells) <= len(COLUMNS):
        raise ValueError(
            f"Expected {_REQUIRED_COLUMNS} to {len(COLUMNS)} columns, not {len(cells)}."
        )
    term, category_name, severity_name, reason, *rest = [*cells, "", "", ""][: len(COLUMNS)]
    suggestion, exceptions, exception_severity_name = rest
    if not term or not reason:
        raise ValueError("The term and the reason must not be empty.")

    category = _category(category_name)
    return LexiconEntry(
        term=term,
        category=category,
        severity=_severity(severity_name, DEFAULT_SEVERITIES[category]),
        reason=reason,
        suggestion=suggestion or None,
        exceptions=tuple(cue.strip() for cue in exceptions.split("|") if cue.strip()),
        exception_severity=_severity(exception_severity_name, Severity.REVIEW),
    )


@functools.cache
def load_default_lexicon() -> CompiledLexicon:
    """Return the compiled default lexicon, built once per process."""
    data = resources.files("beatdesk.checker").joinpath("data", DEFAULT_LEXICON_FILE)
    return compile_lexicon(parse_lexicon(data.read_text(encoding="utf-8")))


def _entry_lines(text: str, problems: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    lines = [
        (number, line.rstrip("\r"))
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip() and not line.startswith("#")
    ]
    if not lines:
        problems.append((1, "The file has no header line."))
        return []

    header_number, header = lines[0]
    if tuple(cell.strip() for cell in header.split("\t")) != COLUMNS:
        problems.append((header_number, "The header must be: " + " ".join(COLUMNS)))
        return []
    return [(number, [cell.strip() for cell in line.split("\t")]) for number, line in lines[1:]]


def _category(name: str) -> Category:
    for category in DEFAULT_SEVERITIES:
        if category.value == name:
            return category
    raise ValueError(f"Unknown category {name!r}; use one of {', '.join(DEFAULT_SEVERITIES)}.")


def _severity(name: str, default: Severity) -> Severity:
    if not name:
        return default
    try:
        return Severity(name)
    except ValueError:
        raise ValueError(f"Unknown severity {name!r}; use block, review or advice.") from None
