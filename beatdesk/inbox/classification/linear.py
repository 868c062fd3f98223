"""A multinomial logistic regression on sparse binary features, trained by plain SGD.

Written out in pure Python because the data is small (hundreds to a few thousand messages)
and a dependency would bring a binary wheel and a pickle format; training on 700 messages
takes a few seconds and scoring a message well under a millisecond.
"""

import logging
import math
import operator
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

logger = logging.getLogger(__name__)

# Persisted weights keep this many decimals; the trained model is rounded the same way,
# so a model read back from its file predicts exactly what the trained one did.
DECIMALS = 5
# Below this scale the lazily regularized weights are folded back to avoid underflow.
MIN_SCALE = 1e-6


class ModelFormatError(ValueError):
    """A persisted model is not in the expected shape; nothing of it was used."""


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """How the linear model is trained; the defaults were chosen on the train split."""

    epochs: int = 15
    learning_rate: float = 0.5
    l2: float = 1e-4
    # An n-gram longer than one character joins the vocabulary when at least this many
    # training messages contain it; rarer ones mostly memorize single messages.
    min_document_count: int = 2
    seed: int = 20261205


@dataclass(frozen=True, slots=True)
class Sample:
    """One training message as features, its label, and how much it counts."""

    grams: Sequence[str]
    label: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Weights per n-gram and label, plus a bias per label."""

    labels: tuple[str, ...]
    weights: dict[str, list[float]]
    bias: list[float]

    def probabilities(self, grams: Iterable[str]) -> list[float]:
        """Return the probability of each label, in the order of `labels`."""
        known = [self.weights[gram] for gram in grams if gram in self.weights]
        value = 1 / math.sqrt(len(known)) if known else 0.0
        return _softmax(_scores(self.bias, known, value))

    def to_dict(self) -> dict[str, object]:
        """Return the model as plain JSON-ready data."""
        return {"labels": list(self.labels), "bias": self.bias, "weights": self.weights}

    @classmethod
    def from_dict(cls, data: object) -> "LinearModel":
        """Build a model from `to_dict` output, refusing anything of another shape."""
        if not isinstance(data, dict):
            raise ModelFormatError("a linear model must be an object")
        labels = data.get("labels")
        if not _is_label_list(labels):
            raise ModelFormatError("labels must be a non-empty list of distinct strings")
        bias = _float_row(data.get("bias"), len(labels), "bias")
        raw_weights = data.get("weights")
        if not isinstance(raw_weights, dict):
            raise ModelFormatError("weights must be an object")
        weights = {
            str(gram): _float_row(row, len(labels), "weights") for gram, row in raw_weights.items()
        }
        return cls(tuple(labels), weights, bias)


def _is_label_list(value: object) -> TypeGuard[list[str]]:
    if not isinstance(value, list) or not value:
        return False
    return all(isinstance(label, str) for label in value) and len(set(value)) == len(value)


def _float_row(value: object, length: int, name: str) -> list[float]:
    if not isinstance(value, list) or len(value) != length:
        raise ModelFormatError(f"{name} rows must be lists of {length} numbers")
    row = []
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ModelFormatError(f"{name} rows must hold numbers")
        if not math.isfinite(number):
            raise ModelFormatError(f"{name} rows must hold finite numbers")
        row.append(float(number))
    return row


def _scores(bias: list[float], rows: list[list[float]], value: float) -> list[float]:
    """Return bias plus `value` times the sum of the rows: the linear scores of one sample."""
    if not rows:
        return list(bias)
    columns = zip(*rows, strict=True)
    return [b + value * sum(column) for b, column in zip(bias, columns, strict=True)]


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exponentials = [math.exp(score - top) for score in scores]
    total = sum(exponentials)
    return [value / total for value in exponentials]


def build_vocabulary(samples: Sequence[Sample], min_document_count: int) -> list[str]:
    """Return the n-grams the model will weigh, in a stable order."""
    counts = Counter(gram for sample in samples for gram in set(sample.grams))
    kept = [g for g, n in counts.items() if len(g) == 1 or n >= min_document_count]
    return sorted(kept)


def fit(
    samples: Sequence[Sample], labels: Sequence[str], settings: TrainingSettings
) -> LinearModel:
    """Train the model by SGD with L2; the same samples and seed give the same weights."""
    index_of = {label: index for index, label in enumerate(labels)}
    vocabulary = build_vocabulary(samples, settings.min_document_count)
    weights = {gram: [0.0] * len(labels) for gram in vocabulary}
    trainer = _Trainer(weights, len(labels), settings)
    order = list(range(len(samples)))
    shuffler = random.Random(settings.seed)
    for _epoch in range(settings.epochs):
        shuffler.shuffle(order)
        for position in order:
            sample = samples[position]
            trainer.step(sample.grams, index_of[sample.label], sample.weight)
    model = trainer.finish(labels)
    logger.info(
        "linear model trained samples=%s labels=%s grams=%s",
        len(samples),
        len(labels),
        len(model.weights),
    )
    return model


class _Trainer:
    """The SGD state: weights kept as `scale * raw` so L2 decay costs one multiplication."""

    def __init__(
        self, raw: dict[str, list[float]], label_count: int, settings: TrainingSettings
    ) -> None:
        self.raw = raw
        self.bias = [0.0] * label_count
        self.scale = 1.0
        self.steps = 0
        self.settings = settings

    def step(self, grams: Sequence[str], target: int, sample_weight: float) -> None:
        """Move the weights one step against the log loss of one sample."""
        rows = [self.raw[gram] for gram in grams if gram in self.raw]
        value = 1 / math.sqrt(len(rows)) if rows else 0.0
        gradient = _softmax(_scores(self.bias, rows, self.scale * value))
        gradient[target] -= 1.0

        rate = self._rate()
        self.scale *= 1 - rate * self.settings.l2
        step = rate * sample_weight * value / self.scale
        change = [step * slope for slope in gradient]
        for row in rows:
            row[:] = map(operator.sub, row, change)
        bias_step = rate * sample_weight
        self.bias = [b - bias_step * slope for b, slope in zip(self.bias, gradient, strict=True)]
        if self.scale < MIN_SCALE:
            self._fold_scale()

    def _rate(self) -> float:
        settings = self.settings
        self.steps += 1
        return settings.learning_rate / (1 + settings.learning_rate * settings.l2 * self.steps)

    def _fold_scale(self) -> None:
        for row in self.raw.values():
            for index, weight in enumerate(row):
                row[index] = weight * self.scale
        self.scale = 1.0

    def finish(self, labels: Sequence[str]) -> LinearModel:
        """Return the model with weights rounded as they will be stored, zero rows dropped."""
        weights = {}
        for gram, row in self.raw.items():
            rounded = [round(self.scale * weight, DECIMALS) for weight in row]
            if any(rounded):
                weights[gram] = rounded
        bias = [round(value, DECIMALS) for value in self.bias]
        return LinearModel(tuple(labels), weights, bias)
