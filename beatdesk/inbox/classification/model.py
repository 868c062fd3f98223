"""The trained model: two linear heads over character n-grams, and its JSON file format.

The file is plain JSON (no pickle), so a model stored in the database or on disk can be
read without running anything it contains:

    {"format": "beatdesk.message-classifier", "version": 1, "trained_on": 612,
     "seed": 20261205, "settings": {...},
     "case_types": {"labels": [...], "bias": [...], "weights": {"ngram": [...]}},
     "emergencies": {"labels": ["none", "violence", ...], "bias": [...], "weights": {...}}}
"""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from beatdesk.inbox.classification.dataset import Example
from beatdesk.inbox.classification.labels import CaseTypeCode, EmergencyReason
from beatdesk.inbox.classification.linear import (
    LinearModel,
    ModelFormatError,
    Sample,
    TrainingSettings,
    fit,
)
from beatdesk.inbox.classification.text import features

logger = logging.getLogger(__name__)

FORMAT = "beatdesk.message-classifier"
VERSION = 1
NO_EMERGENCY = "none"
# Emergencies are rare in the data; each counts this many times in the emergency head.
EMERGENCY_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Model:
    """A trained classifier: a head for the case type and a head for emergencies."""

    case_types: LinearModel
    emergencies: LinearModel
    trained_on: int
    settings: TrainingSettings

    def case_type_probabilities(self, text: str) -> dict[CaseTypeCode, float]:
        """Return the probability of every case type for a message."""
        probabilities = self.case_types.probabilities(features(text))
        return {
            CaseTypeCode(label): p
            for label, p in zip(self.case_types.labels, probabilities, strict=True)
        }

    def emergency_probability(self, text: str) -> tuple[float, EmergencyReason | None]:
        """Return the probability that a message is an emergency, and the likeliest reason."""
        probabilities = self.emergencies.probabilities(features(text))
        ranked = zip(self.emergencies.labels, probabilities, strict=True)
        reasons = [(p, label) for label, p in ranked if label != NO_EMERGENCY]
        if not reasons:
            return 0.0, None
        total = sum(p for p, _label in reasons)
        return total, EmergencyReason(max(reasons)[1])

    def to_json(self) -> str:
        """Return the model in its persisted JSON form."""
        document = {
            "format": FORMAT,
            "version": VERSION,
            "trained_on": self.trained_on,
            "settings": asdict(self.settings),
            "case_types": self.case_types.to_dict(),
            "emergencies": self.emergencies.to_dict(),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, document: str) -> "Model":
        """Read a model written by `to_json`; raise ModelFormatError on anything else."""
        try:
            data = json.loads(document)
        except json.JSONDecodeError as error:
            raise ModelFormatError(f"not JSON: {error.msg}") from error
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelFormatError(f"not a {FORMAT} document")
        if data.get("version") != VERSION:
            raise ModelFormatError(f"unsupported version {data.get('version')!r}")
        case_types = LinearModel.from_dict(data.get("case_types"))
        emergencies = LinearModel.from_dict(data.get("emergencies"))
        _check_labels(case_types.labels, {code.value for code in CaseTypeCode})
        _check_labels(emergencies.labels, {r.value for r in EmergencyReason} | {NO_EMERGENCY})
        return cls(case_types, emergencies, _count(data), _settings(data.get("settings")))


def _check_labels(labels: Sequence[str], allowed: set[str]) -> None:
    unknown = set(labels) - allowed
    if unknown:
        raise ModelFormatError(f"unknown labels {sorted(unknown)}")


def _count(data: dict[str, object]) -> int:
    value = data.get("trained_on")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ModelFormatError("trained_on must be a count")
    return value


def _settings(value: object) -> TrainingSettings:
    if not isinstance(value, dict):
        raise ModelFormatError("settings must be an object")
    try:
        return TrainingSettings(**value)
    except TypeError as error:
        raise ModelFormatError(f"unknown settings: {error}") from error


def train(examples: Iterable[Example], settings: TrainingSettings | None = None) -> Model:
    """Train a model on examples; the same examples and settings give the same model."""
    settings = settings or TrainingSettings()
    examples = list(examples)
    if not examples:
        raise ValueError("training needs at least one example")
    grams = [features(example.text) for example in examples]
    type_samples = [Sample(g, e.case_type.value) for g, e in zip(grams, examples, strict=True)]
    emergency_samples = [
        Sample(g, e.emergency.value, EMERGENCY_WEIGHT) if e.emergency else Sample(g, NO_EMERGENCY)
        for g, e in zip(grams, examples, strict=True)
    ]
    type_labels = [code.value for code in CaseTypeCode]
    emergency_labels = [NO_EMERGENCY, *(reason.value for reason in EmergencyReason)]
    model = Model(
        case_types=fit(type_samples, type_labels, settings),
        emergencies=fit(emergency_samples, emergency_labels, settings),
        trained_on=len(examples),
        settings=settings,
    )
    logger.info("classifier trained examples=%s", len(examples))
    return model


def save_model(model: Model, path: Path) -> None:
    """Write the model to a file, replacing it only once the new one is complete."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(model.to_json(), encoding="utf-8")
    partial.replace(path)


def load_model(path: Path) -> Model:
    """Read a model file written by `save_model`."""
    return Model.from_json(path.read_text(encoding="utf-8"))
