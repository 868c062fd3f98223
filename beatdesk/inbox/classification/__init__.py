"""Message classification and emergency detection, with no Django in it.

    model = train(examples(load_labelled_set()))           # seconds
    analysis = analyse("有人在撬我家门", model)              # well under 5 ms
    analysis.classification.case_type, analysis.classification.confidence
    if analysis.emergency.is_emergency:
        reply = emergency_reply(analysis.emergency)

Models are stored as JSON with `save_model`/`Model.to_json` and read back with
`load_model`/`Model.from_json`. The inbox wires this in; see docs for the flow.
"""

from beatdesk.inbox.classification.classifier import Analysis, Classification, analyse, classify
from beatdesk.inbox.classification.dataset import (
    DATA_PATH,
    DatasetError,
    Example,
    LabelledMessage,
    examples,
    load_labelled_set,
)
from beatdesk.inbox.classification.departments import DepartmentSuggestion, suggest_department
from beatdesk.inbox.classification.emergency import EmergencyFinding, detect_emergency
from beatdesk.inbox.classification.labels import (
    DEPARTMENT_CONTACTS,
    UNCLASSIFIED,
    CaseTypeCode,
    Department,
    DepartmentContact,
    EmergencyReason,
)
from beatdesk.inbox.classification.linear import ModelFormatError, TrainingSettings
from beatdesk.inbox.classification.model import Model, load_model, save_model, train
from beatdesk.inbox.classification.replies import emergency_reply, handover_reply

__all__ = [
    "DATA_PATH",
    "DEPARTMENT_CONTACTS",
    "UNCLASSIFIED",
    "Analysis",
    "CaseTypeCode",
    "Classification",
    "DatasetError",
    "Department",
    "DepartmentContact",
    "DepartmentSuggestion",
    "EmergencyFinding",
    "EmergencyReason",
    "Example",
    "LabelledMessage",
    "Model",
    "ModelFormatError",
    "TrainingSettings",
    "analyse",
    "classify",
    "detect_emergency",
    "emergency_reply",
    "examples",
    "handover_reply",
    "load_labelled_set",
    "load_model",
    "save_model",
    "suggest_department",
    "train",
]
