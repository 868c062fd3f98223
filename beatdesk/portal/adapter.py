"""The portal as a channel: hand stored submissions to the inbox, and "send" answers.

A resident who wrote on the portal reads the officers' answers on the tracking page, so an
answer is delivered as soon as it is written: the outbox row is marked sent at once and
the tracking page shows it. Nothing is ever sent to the phone number a resident gave;
officers call it themselves if they need to.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from beatdesk.channels.deliveries import mark_unparsable
from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    ChannelKind,
    DeliveryStatus,
    InboundDelivery,
    OutboxMessage,
)
from beatdesk.channels.registry import SendResult, register
from beatdesk.inbox.actions import do_receive_message
from beatdesk.portal.models import Photo
from beatdesk.portal.submissions import PayloadError, parse_submission, resident_id_for

logger = logging.getLogger(__name__)


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored submission to the inbox once; return the automatic reply owed for it."""
    try:
        submission = parse_submission(delivery.payload)
    except PayloadError as error:
        mark_unparsable(delivery, str(error))
        return ""

    with transaction.atomic():
        locked = InboundDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.RECEIVED:
            return locked.reply
        incoming = submission.to_incoming(resident_id_for(locked.delivery_key))
        receipt = do_receive_message(locked.account, locked, incoming)
        Photo.objects.filter(delivery=locked).update(message=receipt.message)
        _finish(locked, receipt.automatic_reply)
    logger.info("portal submission received delivery=%s via=%s", delivery.pk, submission.via)
    return receipt.automatic_reply


def _finish(delivery: InboundDelivery, reply: str) -> None:
    delivery.status = DeliveryStatus.PROCESSED
    delivery.reply = reply
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    delivery.save(update_fields=["status", "reply", "processed_at", "attempts"])


class PortalAdapter:
    kind = ChannelKind.PORTAL.value

    def window_allows(self, message: OutboxMessage, now: datetime) -> bool:
        return True

    def send(self, message: OutboxMessage) -> SendResult:
        return SendResult(AttemptOutcome.SENT, detail="shown on the tracking page")

    def note_inbound(self, account: Account, external_id: str, at: datetime) -> None:
        # The tracking page has no sending window to reopen.
        return None

    def process_delivery(self, delivery: InboundDelivery) -> str:
        return process_delivery(delivery)


PORTAL = register(PortalAdapter())
