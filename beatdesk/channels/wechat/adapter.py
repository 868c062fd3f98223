"""The WeChat Official Account adapter: receive pushes into the inbox, send answers out."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.deliveries import process_once, queue_automatic_reply
from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    ChannelContact,
    ChannelKind,
    InboundDelivery,
    OutboxMessage,
)
from beatdesk.channels.registry import SendResult, register
from beatdesk.channels.wechat import client
from beatdesk.channels.wechat.credentials import CredentialsError
from beatdesk.channels.wechat.schemas import PayloadError, WeChatMessage, parse_message
from beatdesk.inbox.actions import do_receive_message

logger = logging.getLogger(__name__)
unsupported_logger = logging.getLogger("beatdesk.channels.wechat.unsupported")

WINDOW = timedelta(hours=48)
MESSAGES_PER_WINDOW = 5
MAX_TEXT_BYTES = 2048
WINDOW_ERRORS = {45015, 45047}
PERMANENT_ERRORS = {40003, 40013, 40125, 40164, 43004, 45002, 48001, 50002}


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored push to the inbox once; return the automatic answer queued for it."""
    return process_once(delivery, parse_message, _hand_to_inbox, PayloadError)


def _hand_to_inbox(delivery: InboundDelivery, message: WeChatMessage) -> str:
    account = delivery.account
    if not message.is_known:
        unsupported_logger.info(
            "unsupported wechat push account=%s type=%s event=%s",
            account.code,
            message.msg_type,
            message.event,
        )
    receipt = do_receive_message(account, delivery, message.to_incoming())
    # A resident's own message opens the 48-hour window; events open shorter windows that
    # we do not use, so they leave it as it is, and their welcome went in the passive reply.
    if message.msg_type != "event":
        WECHAT.note_inbound(account, message.from_user, timezone.now())
        # This spends one of the five customer-service messages the resident's message
        # allows in 48 hours, leaving four for the officer's answers.
        queue_automatic_reply(delivery, message.from_user, receipt.automatic_reply)
    return receipt.automatic_reply


class WeChatAdapter:
    kind = ChannelKind.WECHAT.value

    def window_allows(self, message: OutboxMessage, now: datetime) -> bool:
        contact = ChannelContact.objects.filter(
            account=message.account, external_id=message.recipient
        ).first()
        if contact is None or contact.last_inbound_at is None:
            return False
        within = now - contact.last_inbound_at < WINDOW
        return within and contact.sent_since_inbound < MESSAGES_PER_WINDOW

    def send(self, message: OutboxMessage) -> SendResult:
        text = str(message.payload.get("text", ""))
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            return SendResult(AttemptOutcome.PERMANENT, "45002", "text longer than 2048 bytes")
        try:
            client.send_text(message.account, message.recipient, text)
        except client.WeChatAPIError as error:
            return _classify(error)
        except CredentialsError as error:
            return SendResult(AttemptOutcome.PERMANENT, "credentials", str(error))

        outbox.count_sent(message)
        return SendResult(AttemptOutcome.SENT)

    def note_inbound(self, account: Account, external_id: str, at: datetime) -> None:
        outbox.reopen_window(account, external_id, at)

    def process_delivery(self, delivery: InboundDelivery) -> str:
        return process_delivery(delivery)


def _classify(error: client.WeChatAPIError) -> SendResult:
    code = "" if error.code is None else str(error.code)
    if error.code in WINDOW_ERRORS:
        return SendResult(AttemptOutcome.WINDOW, code, error.detail)
    if error.code in PERMANENT_ERRORS:
        return SendResult(AttemptOutcome.PERMANENT, code, error.detail)
    return SendResult(AttemptOutcome.TEMPORARY, code or "network", error.detail)


WECHAT = register(WeChatAdapter())
