"""Measure classification and emergency detection on labelled messages."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from beatdesk.inbox.classification.classifier import classify
from beatdesk.inbox.classification.dataset import LabelledMessage
from beatdesk.inbox.classification.emergency import detect_emergency
from beatdesk.inbox.classification.labels import CaseTypeCode
from beatdesk.inbox.classification.model import Model


@dataclass(frozen=True, slots=True)
class TypeScore:
    """Precision and recall of one case type; None when nothing was predicted or expected."""

    case_type: CaseTypeCode
    precision: float | None
    recall: float | None
    support: int


COUNTS = [
    "correct_types",
    "messages",
    "emergencies",
    "emergencies_found",
    "reasons_right",
    "near_misses",
    "near_miss_alarms",
    "non_emergencies",
    "false_alarms",
    "departments",
    "departments_right",
]


@dataclass(slots=True)
class Evaluation:
    """The figures of one run over labelled messages, and the ids behind the failures."""

    type_scores: list[TypeScore] = field(default_factory=list)
    correct_types: int = 0
    messages: int = 0
    emergencies: int = 0
    emergencies_found: int = 0
    reasons_right: int = 0
    near_misses: int = 0
    near_miss_alarms: int = 0
    non_emergencies: int = 0
    false_alarms: int = 0
    departments: int = 0
    departments_right: int = 0
    missed: list[str] = field(default_factory=list)
    alarmed: list[str] = field(default_factory=list)
    mistyped: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, other: "Evaluation") -> None:
        """Add the counts and failures of another run (type scores are not pooled)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.missed += other.missed
        self.alarmed += other.alarmed
        self.mistyped += other.mistyped

    @property
    def accuracy(self) -> float:
        return _share(self.correct_types, self.messages)

    @property
    def emergency_recall(self) -> float:
        return _share(self.emergencies_found, self.emergencies)

    @property
    def near_miss_alarm_rate(self) -> float:
        return _share(self.near_miss_alarms, self.near_misses)

    @property
    def false_alarm_rate(self) -> float:
        return _share(self.false_alarms, self.non_emergencies)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate(messages: Sequence[LabelledMessage], model: Model | None) -> Evaluation:
    """Classify every message and compare with its labels."""
    result = Evaluation(messages=len(messages))
    predicted: list[str] = []
    for message in messages:
        classification = classify(message.text, model)
        predicted.append(classification.case_type)
        _count_type(result, message, classification.case_type)
        if message.department is not None and classification.department is not None:
            result.departments += 1
            right = classification.department.department == message.department
            result.departments_right += int(right)
        _count_emergency(result, message, model)
    result.type_scores = _type_scores(messages, predicted)
    return result


def _count_type(result: Evaluation, message: LabelledMessage, predicted: str) -> None:
    if predicted == message.case_type:
        result.correct_types += 1
    else:
        result.mistyped.append((message.id, message.case_type.value, predicted))


def _count_emergency(result: Evaluation, message: LabelledMessage, model: Model | None) -> None:
    finding = detect_emergency(message.text, model)
    if message.emergency is not None:
        result.emergencies += 1
        result.emergencies_found += int(finding.is_emergency)
        result.reasons_right += int(finding.reason == message.emergency)
        if not finding.is_emergency:
            result.missed.append(message.id)
        return
    result.non_emergencies += 1
    result.false_alarms += int(finding.is_emergency)
    if finding.is_emergency:
        result.alarmed.append(message.id)
    if message.is_near_miss:
        result.near_misses += 1
        result.near_miss_alarms += int(finding.is_emergency)


def _type_scores(messages: Sequence[LabelledMessage], predicted: list[str]) -> list[TypeScore]:
    scores = []
    for code in CaseTypeCode:
        expected = [m.case_type == code for m in messages]
        guessed = [p == code.value for p in predicted]
        hits = sum(e and g for e, g in zip(expected, guessed, strict=True))
        precision = hits / sum(guessed) if any(guessed) else None
        recall = hits / sum(expected) if any(expected) else None
        scores.append(TypeScore(code, precision, recall, sum(expected)))
    return scores
