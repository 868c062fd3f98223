"""The one function through which every state change is recorded."""

import json
import logging
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from beatdesk.audit.models import AuditChainHead, AuditRecord
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


def _to_milliseconds(moment: datetime) -> datetime:
    # Backups serialize times to the millisecond (Django's JSON encoder); a record keeps no
    # finer time than a restore can give back, so its hash still verifies after a restore.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def record(
    action: str,
    obj: models.Model,
    *,
    actor: User | None = None,
    unit: Unit | None = None,
    **details: DetailValue,
) -> AuditRecord:
    """Write one audit record for a state change; call it inside the change's transaction.

    The record joins the hash chain: the chain head is locked until the transaction ends,
    so numbers follow commit order and a rolled-back change leaves no gap.
    """
    _check_details(details)
    # Inside the change's transaction a savepoint buys nothing: a failed record must undo
    # the change too. It cost two round trips a record, and the inbox step writes several.
    with transaction.atomic(savepoint=False):
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditRecord(
            actor=actor,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            unit=unit,
            details=details,
            at=_to_milliseconds(timezone.now()),
            sequence=head.sequence + 1,
            previous_hash=head.hash,
        )
        # Stored as JSON and read back: hash what a verifier will read, not Python objects.
        entry.details = json.loads(json.dumps(details))
        entry.hash = entry.compute_hash()
        entry.save()
        head.sequence, head.hash = head.sequence + 1, entry.hash
        head.save(update_fields=["sequence", "hash"])
    logger.info("audit action=%s object=%s:%s", action, entry.object_type, entry.object_id)
    return entry
