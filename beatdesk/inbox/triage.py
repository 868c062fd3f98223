"""The classifier in the inbox: which trained model is in use, and training the next one.

The library (`inbox.classification`) knows nothing of Django; this module keeps its
trained models in the database so that every process and machine uses the same one, and
feeds officers' type corrections into the next training run.
"""

import logging
import threading

from beatdesk.inbox.classification import (
    Analysis,
    CaseTypeCode,
    Example,
    Model,
    analyse,
    examples,
    load_labelled_set,
    train,
)
from beatdesk.inbox.classification.evaluation import Evaluation, evaluate
from beatdesk.inbox.models import Case, ClassifierModel, Direction, TypeSource
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

_loaded: dict[int, Model] = {}
_lock = threading.Lock()


def current_model() -> Model | None:
    """Return the newest trained model, read from the database once per process."""
    newest = ClassifierModel.objects.order_by("-pk").values_list("pk", flat=True).first()
    if newest is None:
        return None
    with _lock:
        if newest not in _loaded:
            row = ClassifierModel.objects.get(pk=newest)
            _loaded.clear()
            _loaded[newest] = Model.from_json(row.model)
            logger.info("classifier loaded model=%s", newest)
        return _loaded[newest]


def analyse_message(text: str, menu_key: str = "") -> Analysis:
    """Type a resident's message and look for an emergency, with the model in use.

    Without a trained model the rules still run: types are rougher, but the emergency
    rules, which matter most, do not depend on the model. A menu key (a menu click, or the
    type a resident chose on the portal) decides the type; emergencies are looked for anyway.
    """
    return analyse(text, current_model(), menu_key=menu_key)


def officer_corrections() -> list[Example]:
    """Return one example per case whose type an officer set: its first message's text."""
    corrected = Case.objects.filter(type_source=TypeSource.OFFICER)
    found = []
    for case in corrected.order_by("pk").iterator():
        first = (
            case.messages.filter(direction=Direction.INBOUND)
            .exclude(text="")
            .order_by("sent_at", "pk")
            .first()
        )
        if first is not None:
            found.append(Example(first.text, CaseTypeCode(case.case_type)))
    return found


def train_model(actor: User | None = None) -> tuple[ClassifierModel, Evaluation]:
    """Train on the shipped training part plus every correction; measure on the test part.

    The shipped test part is never trained on, so the figure stays comparable between runs.
    """
    labelled = load_labelled_set()
    shipped = examples(labelled, "train")
    corrections = officer_corrections()
    model = train([*shipped, *corrections])

    row = ClassifierModel.objects.create(
        created_by=actor,
        shipped_examples=len(shipped),
        corrections=len(corrections),
        model=model.to_json(),
    )
    test_part = [message for message in labelled if message.split == "test"]
    logger.info("classifier trained model=%s corrections=%s", row.pk, len(corrections))
    return row, evaluate(test_part, model)
