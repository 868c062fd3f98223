"""What a check reports: findings with spans in the original text, and an overall risk."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How strongly a finding holds back publishing, strongest first."""

    BLOCK = "block"
    REVIEW = "review"
    ADVICE = "advice"

    @property
    def rank(self) -> int:
        """Return 2 for block, 1 for review and 0 for advice, for comparisons."""
        return _SEVERITY_RANKS[self]


_SEVERITY_RANKS = {Severity.BLOCK: 2, Severity.REVIEW: 1, Severity.ADVICE: 0}


class Risk(StrEnum):
    """The overall weight publishing gives a checked text."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Category(StrEnum):
    """The kind of problem a finding points at; lexicon terms carry one of the first eight."""

    PROHIBITED = "prohibited"
    SENSITIVE = "sensitive"
    CARELESS = "careless"
    DISCRIMINATORY = "discriminatory"
    EUPHEMISM = "euphemism"
    OFFICIALESE = "officialese"
    OUTDATED_NAME = "outdated_name"
    CONFUSED_WORDS = "confused_words"
    PERSONAL_DATA = "personal_data"
    SECRECY = "secrecy"
    WRONG_CHARACTER = "wrong_character"
    READABILITY = "readability"


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One problem in a text.

    `start` and `end` are character offsets into the text exactly as the user wrote it,
    so `text[start:end]` is the problem even when it was written in full-width digits or
    with zero-width characters inside.
    """

    start: int
    end: int
    rule: str
    category: Category
    severity: Severity
    reason: str
    suggestion: str | None = None

    def __init__(
        self,
        start: int,
        end: int,
        rule: str,
        category: Category,
        severity: Severity,
        reason: str,
        suggestion: str | None = None,
    ) -> None:
        # A check builds a finding for every lexicon match, a hundred or more in a post. The
        # frozen dataclass's own __init__ goes through object.__setattr__ field by field;
        # setting the slots through their descriptors does the same in half the time.
        _set_start(self, start)
        _set_end(self, end)
        _set_rule(self, rule)
        _set_category(self, category)
        _set_severity(self, severity)
        _set_reason(self, reason)
        _set_suggestion(self, suggestion)


_set_start = Finding.__dict__["start"].__set__
_set_end = Finding.__dict__["end"].__set__
_set_rule = Finding.__dict__["rule"].__set__
_set_category = Finding.__dict__["category"].__set__
_set_severity = Finding.__dict__["severity"].__set__
_set_reason = Finding.__dict__["reason"].__set__
_set_suggestion = Finding.__dict__["suggestion"].__set__


@dataclass(frozen=True, slots=True)
class SentenceScore:
    """A sentence's span in the original text and its plain-language score."""

    start: int
    end: int
    score: int


@dataclass(frozen=True, slots=True)
class Readability:
    """How plain a text reads, from 0 (very hard) to 100, with its hardest sentences first."""

    score: int = 100
    hardest_sentences: tuple[SentenceScore, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The findings of one check in text order, with the overall risk they add up to."""

    findings: tuple[Finding, ...]
    risk: Risk
    readability: Readability = Readability()

    @property
    def is_blocked(self) -> bool:
        """Return whether any finding stops the text from being sent."""
        return any(finding.severity is Severity.BLOCK for finding in self.findings)

    @property
    def needs_review(self) -> bool:
        """Return whether any finding needs an officer's recorded confirmation."""
        return any(finding.severity is Severity.REVIEW for finding in self.findings)


def compute_risk(findings: Iterable[Finding]) -> Risk:
    """Return high for any block finding, medium for any review finding, else low.

    Advice never raises the risk: stiff wording is worth fixing but is not a reason to
    hold a post for approval.
    """
    # Severities are compared by identity rather than through the `rank` property: this runs
    # for every finding of every check.
    severities = [finding.severity for finding in findings]
    if any(severity is Severity.BLOCK for severity in severities):
        return Risk.HIGH
    if any(severity is Severity.REVIEW for severity in severities):
        return Risk.MEDIUM
    return Risk.LOW


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Return findings in text order without exact duplicates, the strongest first at a tie."""
    unique = set(findings)
    return tuple(sorted(unique, key=_sort_key))


def _sort_key(finding: Finding) -> tuple[int, int, int, str, str]:
    # The rank by identity rather than through the `rank` property, as in `compute_risk`.
    severity = finding.severity
    rank = 2 if severity is Severity.BLOCK else 1 if severity is Severity.REVIEW else 0
    return finding.start, -rank, finding.end, finding.rule, finding.reason
