"""Rule family 1: lexicon terms by category, with context exceptions."""

from collections.abc import Iterable
from dataclasses import dataclass

from beatdesk.checker.core.automaton import Automaton, build_automaton
from beatdesk.checker.core.clauses import clause_around
from beatdesk.checker.core.findings import Category, Finding, Severity
from beatdesk.checker.core.normalize import NormalizedText, normalize_term

# Severity of a term whose entry does not name one.
DEFAULT_SEVERITIES = {
    Category.PROHIBITED: Severity.BLOCK,
    Category.SENSITIVE: Severity.REVIEW,
    Category.CARELESS: Severity.REVIEW,
    Category.DISCRIMINATORY: Severity.REVIEW,
    Category.EUPHEMISM: Severity.REVIEW,
    Category.OFFICIALESE: Severity.ADVICE,
    Category.OUTDATED_NAME: Severity.ADVICE,
    Category.CONFUSED_WORDS: Severity.ADVICE,
}

# The rule id of each category's findings.
_RULES = {category: f"lexicon.{category.value}" for category in Category}

# How far before and after a term a context cue may stand, in characters of one clause.
CONTEXT_WINDOW = 12


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One term and what to say when it appears.

    When any of `exceptions` (a cue such as 严禁 or a whole phrase such as 严禁非法买卖枪支)
    stands in the same clause within `CONTEXT_WINDOW` characters, the finding gets
    `exception_severity` instead of `severity`: a warning against selling guns mentions guns
    legitimately.
    """

    term: str
    category: Category
    severity: Severity
    reason: str
    suggestion: str | None = None
    exceptions: tuple[str, ...] = ()
    exception_severity: Severity = Severity.REVIEW


@dataclass(frozen=True, slots=True)
class CompiledLexicon:
    """Lexicon entries with their automaton; plain data, built once and shared read-only.

    `term_entries[i]` lists the entries whose normalized term is the automaton's term `i`;
    several entries may share a term (for instance in two categories).
    `exception_cues[j]` holds entry `j`'s exceptions, normalized like the text.
    """

    entries: tuple[LexiconEntry, ...]
    automaton: Automaton
    term_entries: tuple[tuple[int, ...], ...]
    exception_cues: tuple[tuple[str, ...], ...]


def compile_lexicon(entries: Iterable[LexiconEntry]) -> CompiledLexicon:
    """Normalize the entries' terms the way texts are normalized and build the automaton."""
    entries = tuple(entries)
    term_indexes: dict[str, list[int]] = {}
    for entry_index, entry in enumerate(entries):
        term = normalize_term(entry.term)
        if not term:
            raise ValueError(f"The term {entry.term!r} is empty once normalized.")
        term_indexes.setdefault(term, []).append(entry_index)

    return CompiledLexicon(
        entries=entries,
        automaton=build_automaton(list(term_indexes)),
        term_entries=tuple(tuple(indexes) for indexes in term_indexes.values()),
        exception_cues=tuple(_normalized_cues(entry) for entry in entries),
    )


def find_lexicon_terms(view: NormalizedText, lexicon: CompiledLexicon) -> list[Finding]:
    """Return a finding for every occurrence of every term, overlapping ones included."""
    # A post has a hundred matches or more, so this loop avoids a call per match where it can:
    # `view.original_span` is written out, and so is the context check of entries without
    # exceptions.
    text, offsets = view.text, view.offsets
    entries, cues = lexicon.entries, lexicon.exception_cues
    findings: list[Finding] = []
    for term_index, start, end in lexicon.automaton.find_indexes(text):
        original_start, original_end = offsets[start], offsets[end - 1] + 1
        for entry_index in lexicon.term_entries[term_index]:
            entry = entries[entry_index]
            severity = entry.severity
            if cues[entry_index]:
                severity = _severity_in_context(text, start, end, lexicon, entry_index)
            finding = Finding(
                original_start,
                original_end,
                _RULES[entry.category],
                entry.category,
                severity,
                entry.reason,
                entry.suggestion,
            )
            findings.append(finding)
    return findings


def _severity_in_context(
    text: str, start: int, end: int, lexicon: CompiledLexicon, entry_index: int
) -> Severity:
    entry = lexicon.entries[entry_index]
    cues = lexicon.exception_cues[entry_index]
    if cues and any(cue in clause_around(text, start, end, CONTEXT_WINDOW) for cue in cues):
        return entry.exception_severity
    return entry.severity


def _normalized_cues(entry: LexiconEntry) -> tuple[str, ...]:
    return tuple(cue for cue in map(normalize_term, entry.exceptions) if cue)
