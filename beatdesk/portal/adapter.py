"""The portal as a channel: hand stored submissions to the inbox, and "send" answers.

A resident who wrote on the portal reads the officers' answers on the tracking page, so an
answer is delivered as soon as it is written: the outbox row is marked sent at once and
the tracking page shows it. Nothing is ever sent to the phone number a resident gave;
officers call it themselves if they need to.
"""

import logging
from datetime import datetime

from beatdesk.channels.deliveries import process_once
from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    ChannelKind,
    InboundDelivery,
    OutboxMessage,
)
from beatdesk.channels.registry import SendResult, register
from beatdesk.inbox.actions import do_receive_message
from beatdesk.portal.models import Photo
from beatdesk.portal.submissions import (
    PayloadError,
    Submission,
    parse_submission,
    resident_id_for,
)

logger = logging.getLogger(__name__)


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored submission to the inbox once; return the automatic reply owed for it."""
    return process_once(delivery, parse_submission, _hand_to_inbox, PayloadError)


def _hand_to_inbox(delivery: InboundDelivery, submission: Submission) -> str:
    incoming = submission.to_incoming(resident_id_for(delivery.delivery_key))
    receipt = do_receive_message(delivery.account, delivery, incoming)
    Photo.objects.filter(delivery=delivery).update(message=receipt.message)
    logger.info("portal submission received delivery=%s via=%s", delivery.pk, submission.via)
    return receipt.automatic_reply


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

    def is_one_to_one(self, external_id: str) -> bool:
        # Residents read answers on the tracking page and rate them there, not by writing.
        return False


PORTAL = register(PortalAdapter())
