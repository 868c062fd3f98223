"""The one function through which every state change is recorded."""

import logging

from django.db import models

from beatdesk.audit.models import AuditRecord
from beatdesk.units.models import Unit, User

logger = logging.getLogger(__name__)

DetailValue = str | int | bool | None


class AuditDetailError(ValueError):
    """Audit details may hold ids, codes and flags only."""


def _check_details(details: dict[str, DetailValue]) -> None:
    # Free text is where personal data would slip in, so long strings are refused outright.
    for key, value in details.items():
        if not isinstance(value, str | int | bool | None):
            raise AuditDetailError(f"audit detail {key} must be an id, code or flag")
        if isinstance(value, str) and len(value) > 64:
            raise AuditDetailError(f"audit detail {key} is too long to be an id or code")


def record(
    action: str,
    obj: models.Model,
    *,
    actor: User | None = None,
    unit: Unit | None = None,
    **details: DetailValue,
) -> AuditRecord:
    """Write one audit record for a state change; call it inside the change's transaction."""
    _check_details(details)
    entry = AuditRecord.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        unit=unit,
        details=details,
    )
    logger.info("audit action=%s object=%s:%s", action, entry.object_type, entry.object_id)
    return entry
