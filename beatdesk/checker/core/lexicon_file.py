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
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources

from beatdesk.checker.core.findings import Category, Severity
from beatdesk.checker.core.lexicon import (
    DEFAULT_SEVERITIES,
    CompiledLexicon,
    LexiconEntry,
    compile_lexicon,
)
from beatdesk.checker.core.messages import gettext_noop
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


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line: an English message id and the values it names.

    The core imports no Django, so it cannot translate; the web layer shows
    `gettext(message) % params` in the reader's language, the command line `text`.
    """

    line: int
    message: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.message % self.params if self.params else self.message


class LineError(ValueError):
    """One line's problem, raised while reading it and collected by `parse_lexicon`."""

    def __init__(self, message: str, **params: str | int) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class LexiconFormatError(ValueError):
    """A lexicon file has malformed lines; `problems` lists them in line order."""

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__("; ".join(f"line {problem.line}: {problem.text}" for problem in problems))
        self.problems = problems


def parse_lexicon(text: str) -> list[LexiconEntry]:
    """Parse a whole lexicon file, or raise `LexiconFormatError` naming every bad line."""
    entries: list[LexiconEntry] = []
    problems: list[LineProblem] = []
    seen: dict[tuple[str, Category], int] = {}
    for number, cells in _entry_lines(text, problems):
        try:
            entry = parse_entry(cells)
        except LineError as error:
            problems.append(LineProblem(number, error.message, error.params))
            continue
        key = (normalize_term(entry.term), entry.category)
        term = repr(entry.term)
        if len(key[0]) < MIN_TERM_LENGTH:
            message = gettext_noop("%(term)s is shorter than two characters once normalized.")
            problems.append(LineProblem(number, message, {"term": term}))
            continue
        if key in seen:
            message = gettext_noop("%(term)s repeats line %(first)s.")
            problems.append(LineProblem(number, message, {"term": term, "first": seen[key]}))
        seen.setdefault(key, number)
        entries.append(entry)

    if problems:
        raise LexiconFormatError(problems)
    return entries


def parse_entry(cells: list[str]) -> LexiconEntry:
    """Turn the cells of one line into an entry, or raise LineError saying what is wrong."""
    if not _REQUIRED_COLUMNS <= len(cells) <= len(COLUMNS):
        raise LineError(
            gettext_noop("Expected %(least)s to %(most)s columns, not %(count)s."),
            least=_REQUIRED_COLUMNS,
            most=len(COLUMNS),
            count=len(cells),
        )
    term, category_name, severity_name, reason, *rest = [*cells, "", "", ""][: len(COLUMNS)]
    suggestion, exceptions, exception_severity_name = rest
    if not term or not reason:
        raise LineError(gettext_noop("The term and the reason must not be empty."))

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


def _entry_lines(text: str, problems: list[LineProblem]) -> list[tuple[int, list[str]]]:
    lines = [
        (number, line.rstrip("\r"))
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip() and not line.startswith("#")
    ]
    if not lines:
        problems.append(LineProblem(1, gettext_noop("The file has no header line.")))
        return []

    header_number, header = lines[0]
    if tuple(cell.strip() for cell in header.split("\t")) != COLUMNS:
        message = gettext_noop("The header must be: %(columns)s")
        problems.append(LineProblem(header_number, message, {"columns": " ".join(COLUMNS)}))
        return []
    return [(number, [cell.strip() for cell in line.split("\t")]) for number, line in lines[1:]]


def _category(name: str) -> Category:
    for category in DEFAULT_SEVERITIES:
        if category.value == name:
            return category
    raise LineError(
        gettext_noop("Unknown category %(name)s; use one of %(choices)s."),
        name=repr(name),
        choices=", ".join(DEFAULT_SEVERITIES),
    )


def _severity(name: str, default: Severity) -> Severity:
    if not name:
        return default
    try:
        return Severity(name)
    except ValueError:
        raise LineError(
            gettext_noop("Unknown severity %(name)s; use block, review or advice."),
            name=repr(name),
        ) from None
