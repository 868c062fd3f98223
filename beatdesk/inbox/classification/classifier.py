"""Classify a resident's message on arrival: menu key, keyword rules and the model together."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from beatdesk.inbox.classification.departments import DepartmentSuggestion, suggest_department
from beatdesk.inbox.classification.emergency import EmergencyFinding, detect_emergency
from beatdesk.inbox.classification.labels import UNCLASSIFIED, CaseTypeCode
from beatdesk.inbox.classification.model import Model
from beatdesk.inbox.classification.rules import (
    DEFAULT_MENU_PREFIXES,
    MENU_CONFIDENCE,
    Vote,
    keyword_votes,
    menu_type,
)

logger = logging.getLogger(__name__)

# How much the keyword votes count against the model's probabilities, which sum to one.
RULE_STRENGTH = 1.0


@dataclass(frozen=True, slots=True)
class Classification:
    """The automatic type of a message and how sure it is.

    `case_type` is a CaseType code, or "unclassified" when there was nothing to go on;
    `confidence` (0..1) is the probability given to that type; `source` says what decided:
    "menu", "rules", "model" or "rules+model". `department` is set for "not_police".
    """

    case_type: str
    confidence: float
    source: str
    probabilities: Mapping[str, float]
    rules: tuple[str, ...] = ()
    department: DepartmentSuggestion | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the inbox needs about a new message: its type and any emergency."""

    classification: Classification
    emergency: EmergencyFinding


def classify(
    text: str,
    model: Model | None = None,
    *,
    menu_key: str = "",
    menu_prefixes: Mapping[str, CaseTypeCode] = DEFAULT_MENU_PREFIXES,
) -> Classification:
    """Return the type of a message: a menu key decides, otherwise rules and model vote."""
    decided = menu_type(menu_key, menu_prefixes) if menu_key else None
    if decided is not None:
        return _decided_by_menu(decided, text)

    votes = keyword_votes(text)
    prior = model.case_type_probabilities(text) if model and text.strip() else None
    if prior is None and not votes:
        return Classification(UNCLASSIFIED, 0.0, "rules", {})
    probabilities = combine(prior, votes)
    best = max(probabilities, key=lambda code: probabilities[code])
    return Classification(
        case_type=best.value,
        confidence=round(probabilities[best], 4),
        source=_source(prior is not None, votes),
        probabilities={code.value: round(p, 4) for code, p in probabilities.items()},
        rules=tuple(vote.rule for vote in votes),
        department=suggest_department(text) if best == CaseTypeCode.NOT_POLICE else None,
    )


def combine(
    prior: Mapping[CaseTypeCode, float] | None, votes: list[Vote]
) -> dict[CaseTypeCode, float]:
    """Add the votes to the model's probabilities (or to an even prior) and renormalize."""
    codes = list(CaseTypeCode)
    scores = {code: (prior[code] if prior else 1 / len(codes)) for code in codes}
    for vote in votes:
        scores[vote.case_type] += RULE_STRENGTH * vote.weight
    total = sum(scores.values())
    return {code: score / total for code, score in scores.items()}


def _decided_by_menu(case_type: CaseTypeCode, text: str) -> Classification:
    department = suggest_department(text) if case_type == CaseTypeCode.NOT_POLICE else None
    return Classification(
        case_type.value,
        MENU_CONFIDENCE,
        "menu",
        {case_type.value: MENU_CONFIDENCE},
        (),
        department,
    )


def _source(has_model: bool, votes: list[Vote]) -> str:
    if has_model and votes:
        return "rules+model"
    return "model" if has_model else "rules"


def analyse(text: str, model: Model | None = None, *, menu_key: str = "") -> Analysis:
    """Classify a message and look for an emergency in it."""
    analysis = Analysis(classify(text, model, menu_key=menu_key), detect_emergency(text, model))
    logger.debug(
        "message analysed type=%s confidence=%s emergency=%s",
        analysis.classification.case_type,
        analysis.classification.confidence,
        analysis.emergency.reason,
    )
    return analysis
