"""Measure automatic answers on labelled questions, and fit the calibration and threshold.

Both fits read the train part only; the figures that matter are measured on the test part.
"""

import datetime
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from beatdesk.inbox.knowledge.decisions import AutoAnswer, decide
from beatdesk.inbox.knowledge.matching import Knowledge, Signs, match, signs_for
from beatdesk.inbox.knowledge.questions import LabelledQuestion

logger = logging.getLogger(__name__)

# Questions are measured as on this day, so the figures do not change when entries age.
EVALUATION_DAY = datetime.date(2026, 12, 4)
FIT_ROUNDS = 4000
FIT_STEP = 0.5
FIT_PENALTY = 0.001
# The threshold is the lowest that keeps this precision on the train part: a wrong answer
# sent at once costs more than a proposal an officer confirms with one click.
TARGET_PRECISION = 0.97
THRESHOLD_GRID = tuple(round(0.5 + step / 100, 2) for step in range(50))


@dataclass(slots=True)
class Evaluation:
    """Counts of what happened to labelled questions at one threshold."""

    questions: int = 0
    answerable: int = 0
    unanswerable: int = 0
    auto_sent: int = 0
    auto_right: int = 0
    auto_on_unanswerable: int = 0
    auto_on_answerable: int = 0
    proposed_answerable: int = 0
    proposed_right_in_top3: int = 0
    top1_right: int = 0
    top3_right: int = 0
    wrong_auto: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.auto_right / self.auto_sent if self.auto_sent else 1.0

    @property
    def coverage(self) -> float:
        """Return the share of answerable questions that got an automatic answer."""
        return self.auto_on_answerable / self.answerable if self.answerable else 0.0

    @property
    def right_coverage(self) -> float:
        """Return the share of answerable questions that got the right automatic answer."""
        return self.auto_right / self.answerable if self.answerable else 0.0

    @property
    def unanswerable_auto_rate(self) -> float:
        return self.auto_on_unanswerable / self.unanswerable if self.unanswerable else 0.0

    @property
    def proposal_recall(self) -> float:
        return (
            self.proposed_right_in_top3 / self.proposed_answerable
            if self.proposed_answerable
            else 1.0
        )


def evaluate(
    questions: Sequence[LabelledQuestion], knowledge: Knowledge, threshold: float
) -> Evaluation:
    """Match and decide every question as the inbox would, and count the outcomes."""
    result = Evaluation()
    for question in questions:
        candidates = match(question.question, knowledge, k=3)
        decision = decide(candidates, knowledge.entries, today=EVALUATION_DAY, threshold=threshold)
        _count(result, question, [c.entry_id for c in candidates], decision)
    return result


def _count(
    result: Evaluation,
    question: LabelledQuestion,
    proposed: list[str],
    decision: object,
) -> None:
    result.questions += 1
    result.answerable += question.is_answerable
    result.unanswerable += not question.is_answerable
    result.top1_right += proposed[:1] == [question.entry]
    result.top3_right += question.entry in proposed
    if isinstance(decision, AutoAnswer):
        result.auto_sent += 1
        right = decision.entry.id == question.entry
        result.auto_right += right
        result.auto_on_unanswerable += not question.is_answerable
        result.auto_on_answerable += question.is_answerable
        if not right:
            result.wrong_auto.append(question.id)
    elif question.is_answerable:
        result.proposed_answerable += 1
        result.proposed_right_in_top3 += question.entry in proposed


def fit_calibration(
    questions: Sequence[LabelledQuestion], knowledge: Knowledge
) -> tuple[float, ...]:
    """Fit the logistic calibration: the chance the best entry is the labelled one."""
    samples: list[tuple[Signs, float]] = []
    for question in questions:
        signs = signs_for(question.question, knowledge)
        if signs is None:
            continue
        best = match(question.question, knowledge, k=1)[0].entry_id
        samples.append((signs, 1.0 if best == question.entry else 0.0))
    return _logistic_regression(samples)


def choose_threshold(
    questions: Sequence[LabelledQuestion], knowledge: Knowledge
) -> tuple[float, Evaluation]:
    """Return the lowest threshold whose precision reaches the target, and its evaluation."""
    last: tuple[float, Evaluation] | None = None
    for threshold in THRESHOLD_GRID:
        result = evaluate(questions, knowledge, threshold)
        last = (threshold, result)
        if result.precision >= TARGET_PRECISION:
            return last
    assert last is not None
    return last


def _logistic_regression(samples: Sequence[tuple[Signs, float]]) -> tuple[float, ...]:
    weights = [0.0, 0.0, 0.0, 0.0]
    if not samples:
        return tuple(weights)
    for _ in range(FIT_ROUNDS):
        gradient = [FIT_PENALTY * w for w in weights]
        gradient[0] = 0.0
        for signs, label in samples:
            inputs = (1.0, *signs.vector())
            linear = sum(w * x for w, x in zip(weights, inputs, strict=True))
            error = 1 / (1 + math.exp(-max(-30.0, min(30.0, linear)))) - label
            for place, value in enumerate(inputs):
                gradient[place] += error * value / len(samples)
        weights = [w - FIT_STEP * g for w, g in zip(weights, gradient, strict=True)]
    return tuple(round(w, 3) for w in weights)
