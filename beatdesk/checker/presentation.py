"""Findings as people see them: translated reasons, labels, and the text cut at their spans."""

from dataclasses import dataclass
from itertools import pairwise

from django.utils.translation import gettext as _

from beatdesk.checker.core import CheckResult, Finding
from beatdesk.checker.models import CATEGORY_LABELS, RISK_LABELS, SEVERITY_LABELS

MAX_FINDINGS_SHOWN = 500


def category_label(value: str) -> str:
    """Return the translated name of a finding's category, or its code if it has none."""
    for category, label in CATEGORY_LABELS.items():
        if category.value == value:
            return str(label)
    return value


def finding_data(text: str, finding: Finding) -> dict[str, object]:
    """Describe one finding for the API and the templates, in the request's language."""
    return {
        "start": finding.start,
        "end": finding.end,
        "excerpt": text[finding.start : finding.end],
        "rule": finding.rule,
        "category": finding.category.value,
        "category_label": category_label(finding.category.value),
        "severity": finding.severity.value,
        "severity_label": str(SEVERITY_LABELS[finding.severity]),
        "reason": _(finding.reason),
        "suggestion": finding.suggestion,
    }


def result_data(text: str, result: CheckResult) -> dict[str, object]:
    """Describe a whole check for the API and the templates."""
    return {
        "risk": result.risk.value,
        "risk_label": str(RISK_LABELS[result.risk]),
        "blocked": result.is_blocked,
        "needs_review": result.needs_review,
        # A pasted directory of phone numbers would otherwise answer with megabytes.
        "findings": [finding_data(text, f) for f in result.findings[:MAX_FINDINGS_SHOWN]],
        "findings_total": len(result.findings),
        "readability": {
            "score": result.readability.score,
            "hardest_sentences": [
                {
                    "start": sentence.start,
                    "end": sentence.end,
                    "score": sentence.score,
                    "excerpt": text[sentence.start : sentence.end],
                }
                for sentence in result.readability.hardest_sentences
            ],
        },
    }


@dataclass(frozen=True)
class Segment:
    """A run of the text covered by the same findings; `severity` is the strongest of them."""

    text: str
    severity: str | None
    findings: tuple[int, ...]


def segments(text: str, result: CheckResult) -> list[Segment]:
    """Cut the text at every finding's edges so a template can mark the findings in place."""
    edges = sorted(
        {0, len(text)} | {f.start for f in result.findings} | {f.end for f in result.findings}
    )
    pieces = []
    for start, end in pairwise(edges):
        covering = tuple(
            number
            for number, finding in enumerate(result.findings, start=1)
            if finding.start <= start and end <= finding.end
        )
        pieces.append(Segment(text[start:end], _strongest(result, covering), covering))
    return pieces


def _strongest(result: CheckResult, numbers: tuple[int, ...]) -> str | None:
    if not numbers:
        return None
    severities = [result.findings[number - 1].severity for number in numbers]
    return max(severities, key=lambda severity: severity.rank).value
