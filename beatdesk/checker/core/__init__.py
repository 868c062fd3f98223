"""The checker's Django-free core: `check(text, lexicon)` and what it returns."""

from beatdesk.checker.core.checking import MAX_TEXT_LENGTH, TextTooLongError, check, conceal
from beatdesk.checker.core.findings import (
    Category,
    CheckResult,
    Finding,
    Readability,
    Risk,
    SentenceScore,
    Severity,
)
from beatdesk.checker.core.lexicon import CompiledLexicon, LexiconEntry, compile_lexicon
from beatdesk.checker.core.lexicon_file import (
    LexiconFormatError,
    LineProblem,
    load_default_lexicon,
    parse_lexicon,
)
from beatdesk.checker.core.masking import mask

__all__ = [
    "MAX_TEXT_LENGTH",
    "Category",
    "CheckResult",
    "CompiledLexicon",
    "Finding",
    "LexiconEntry",
    "LexiconFormatError",
    "LineProblem",
    "Readability",
    "Risk",
    "SentenceScore",
    "Severity",
    "TextTooLongError",
    "check",
    "compile_lexicon",
    "conceal",
    "load_default_lexicon",
    "mask",
    "parse_lexicon",
]
