"""Storing what a channel pushed: the raw bytes under a delivery key, before any answer.

Every adapter stores the same way, so that a retry or a repeated event finds the row it
already has and nothing acknowledged is ever stored twice or lost.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    """The outcome of storing a push: the delivery row and whether it was new."""

    delivery: InboundDelivery
    is_new: bool


def store_delivery(account: Account, key: str, raw: bytes, payload: str) -> Stored:
    """Commit the raw push under its delivery key; a retry finds the row already there."""
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(
                account=account, delivery_key=key, raw_body=raw, payload=payload
            )
        return Stored(delivery, True)
    except IntegrityError:
        existing = InboundDelivery.objects.get(account=account, delivery_key=key)
        return Stored(existing, False)


def mark_unparsable(delivery: InboundDelivery, reason: str) -> None:
    """Flag a stored push an operator must look at; the raw bytes stay as received."""
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.UNPARSABLE, error=reason[:200]
    )
    logger.warning(
        "push unparsable kind=%s delivery=%s reason=%s",
        delivery.account.kind,
        delivery.pk,
        reason,
    )
