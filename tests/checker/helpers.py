"""Small builders shared by the checker tests."""

from beatdesk.checker.core import (
    Category,
    CheckResult,
    CompiledLexicon,
    Finding,
    LexiconEntry,
    Severity,
    check,
    compile_lexicon,
)


def blocked_terms(*terms: str) -> CompiledLexicon:
    """Compile a lexicon in which every term is prohibited."""
    return compile_lexicon(
        LexiconEntry(term, Category.PROHIBITED, Severity.BLOCK, "prohibited") for term in terms
    )


def flagged(text: str, result: CheckResult, rule_prefix: str = "") -> list[str]:
    """Return the original text of each finding whose rule starts with `rule_prefix`."""
    return [text[f.start : f.end] for f in result.findings if f.rule.startswith(rule_prefix)]


def findings_of(text: str, lexicon: CompiledLexicon, rule_prefix: str) -> list[Finding]:
    """Check `text` and return the findings whose rule starts with `rule_prefix`."""
    return [f for f in check(text, lexicon).findings if f.rule.startswith(rule_prefix)]
