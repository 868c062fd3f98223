"""The official QQ bot adapter: receive private and group messages, answer them passively.

Since April 2025 the platform refuses messages a bot starts on its own, so every answer
is a passive reply: it names the resident's latest message (`msg_id`) and a sequence
number (`msg_seq`) unique among the replies to that message. A reply is accepted for 60
minutes after a private message and 5 minutes after a group message, at most five times.
An answer written later is held until the resident writes again, which opens a new
window; the officer sees it as held in the outbox.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.deliveries import process_once, queue_automatic_reply, wake_relay
from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    ChannelContact,
    ChannelKind,
    InboundDelivery,
    OutboxMessage,
)
from beatdesk.channels.qqbot import client
from beatdesk.channels.qqbot.credentials import CredentialsError
from beatdesk.channels.qqbot.schemas import (
    Conversation,
    Event,
    MembershipEvent,
    MessageEvent,
    PayloadError,
    parse_conversation,
    parse_envelope,
    parse_event,
)
from beatdesk.channels.registry import SendResult, register
from beatdesk.channels.speakers import group_text
from beatdesk.inbox.actions import do_receive_message
from beatdesk.inbox.models import Direction, Message

logger = logging.getLogger(__name__)
unsupported_logger = logging.getLogger("beatdesk.channels.qqbot.unsupported")
anomalous_logger = logging.getLogger("beatdesk.channels.qqbot.anomalous")

GROUP_WINDOW = timedelta(minutes=5)
PRIVATE_WINDOW = timedelta(minutes=60)
REPLIES_PER_MESSAGE = 5
# A reply started in the window's last seconds would reach the platform after it closed.
WINDOW_MARGIN = timedelta(seconds=10)
TEXT_MESSAGE = 0


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored event to the inbox once; return the automatic reply owed for it."""
    return process_once(delivery, _parse, _hand_to_inbox, PayloadError)


def _parse(payload: str) -> Event:
    return parse_event(parse_envelope(payload))


def _hand_to_inbox(delivery: InboundDelivery, event: Event) -> str:
    if isinstance(event, MessageEvent):
        return _receive_message(delivery, event)
    if isinstance(event, MembershipEvent):
        do_receive_message(delivery.account, delivery, event.to_incoming())
        return ""

    # Guild channel messages, interactions and unknown types are kept raw and nothing more.
    unsupported_logger.info(
        "unsupported qqbot event account=%s delivery=%s type=%s",
        delivery.account.code,
        delivery.pk,
        event.event_type,
    )
    return ""


def _receive_message(delivery: InboundDelivery, event: MessageEvent) -> str:
    account = delivery.account
    if event.skipped_attachments:
        anomalous_logger.warning(
            "qqbot message with unreadable attachments account=%s delivery=%s skipped=%s",
            account.code,
            delivery.pk,
            event.skipped_attachments,
        )
    incoming = event.to_incoming()
    receipt = do_receive_message(account, delivery, incoming)
    QQBOT.note_inbound(account, incoming.external_id, timezone.now())
    # The webhook's answer carries only the acknowledgement, so the automatic reply goes
    # out through the outbox like any other answer, as a reply to this message.
    queue_automatic_reply(delivery, incoming.external_id, receipt.automatic_reply)
    return receipt.automatic_reply


def queue_emergency_answer(delivery: InboundDelivery, event: MessageEvent, text: str) -> None:
    """Put the 110 answer in the outbox at once, as a passive reply to this very message.

    Called by the webhook before the inbox step has recorded the message, so the row
    names the message itself instead of waiting for it to become the resident's latest.
    """
    anchor = {"reply_to": event.message_id, "reply_to_at": event.sent_at.isoformat()}
    key = f"emergency-answer:{delivery.pk}"
    outbox.enqueue(delivery.account, event.conversation.external_id, text, key, anchor)
    try:
        wake_relay()
    except Exception as error:
        # The row is committed: the minute sweep sends it if the queue is down.
        logger.error(
            "relay not woken for an emergency delivery=%s error=%s",
            delivery.pk,
            type(error).__name__,
        )


# The passive reply window.


@dataclass(frozen=True)
class Anchor:
    """The resident's latest message, which a passive reply must name."""

    message_id: str
    sent_at: datetime
    window: timedelta

    def is_open(self, now: datetime) -> bool:
        return now < self.sent_at + self.window - WINDOW_MARGIN


def anchor_for(message: OutboxMessage, now: datetime) -> Anchor | None:
    """Return the message a reply names: the row's own while open, else the latest.

    Only a 110 answer, queued before the inbox step recorded the message, names its own.
    """
    named = _named_anchor(message)
    if named is not None and named.is_open(now):
        return named
    return latest_anchor(message.account, message.recipient)


def _named_anchor(message: OutboxMessage) -> Anchor | None:
    reply_to, at = message.payload.get("reply_to"), message.payload.get("reply_to_at")
    if not isinstance(reply_to, str) or not isinstance(at, str):
        return None
    window = GROUP_WINDOW if message.recipient.startswith("group:") else PRIVATE_WINDOW
    return Anchor(reply_to, datetime.fromisoformat(at), window)


def latest_anchor(account: Account, recipient: str) -> Anchor | None:
    """Return the resident's latest message that a reply can name, if any."""
    inbound = Message.objects.filter(
        resident__account=account, resident__external_id=recipient, direction=Direction.INBOUND
    ).order_by("-sent_at", "-pk")
    # Attributes are encrypted, so the newest message naming an id is found in Python; it
    # is nearly always the newest message of all.
    latest = next((row for row in inbound.iterator() if "message_id" in row.attributes), None)
    if latest is None:
        return None
    window = GROUP_WINDOW if recipient.startswith("group:") else PRIVATE_WINDOW
    return Anchor(str(latest.attributes["message_id"]), latest.sent_at, window)


@dataclass(frozen=True)
class Pin:
    """The msg_id and msg_seq an outbox row is sent with; `reused` if an earlier try had it."""

    message_id: str
    sequence: int
    reused: bool


def _pin(message: OutboxMessage, anchor: Anchor) -> Pin:
    """Give the row its msg_id and msg_seq once, and keep them for every retry.

    Sequence numbers come from the contact's count of replies since the resident's latest
    message, under its row lock: `note_inbound` resets that count when a new message
    arrives. A 110 answer may be pinned before that reset, so a number already pinned to
    the same msg_id is skipped too, and every (msg_id, msg_seq) pair is handed out once.
    """
    payload = message.payload
    if payload.get("msg_id") == anchor.message_id and isinstance(payload.get("msg_seq"), int):
        return Pin(anchor.message_id, int(payload["msg_seq"]), reused=True)
    with transaction.atomic():
        ChannelContact.objects.get_or_create(
            account=message.account, external_id=message.recipient
        )
        contact = ChannelContact.objects.select_for_update().get(
            account=message.account, external_id=message.recipient
        )
        pinned = _sequences_pinned(message, anchor.message_id)
        contact.sent_since_inbound = max([contact.sent_since_inbound, *pinned]) + 1
        contact.save(update_fields=["sent_since_inbound"])
        payload |= {"msg_id": anchor.message_id, "msg_seq": contact.sent_since_inbound}
        OutboxMessage.objects.filter(pk=message.pk).update(payload=payload)
    return Pin(anchor.message_id, contact.sent_since_inbound, reused=False)


def _sequences_pinned(message: OutboxMessage, message_id: str) -> list[int]:
    rows = OutboxMessage.objects.filter(
        account=message.account, recipient=message.recipient
    ).exclude(pk=message.pk)
    # Payloads are encrypted: the resident's rows are read and matched on msg_id here.
    payloads = rows.values_list("payload", flat=True)
    pinned = (row.get("msg_seq") for row in payloads if row.get("msg_id") == message_id)
    return [sequence for sequence in pinned if isinstance(sequence, int)]


def _unpin(message: OutboxMessage) -> None:
    message.payload.pop("msg_id", None)
    message.payload.pop("msg_seq", None)
    OutboxMessage.objects.filter(pk=message.pk).update(payload=message.payload)


def _replies_used(account: Account, recipient: str) -> int:
    contact = ChannelContact.objects.filter(account=account, external_id=recipient).first()
    return contact.sent_since_inbound if contact is not None else 0


# Sending.


def _path(conversation: Conversation) -> str:
    if conversation.group_openid:
        return f"/v2/groups/{conversation.group_openid}/messages"
    return f"/v2/users/{conversation.user_openid}/messages"


def _body(message: OutboxMessage, conversation: Conversation, pin: Pin) -> dict[str, Any]:
    # Plain text (msg_type 0): markup in an answer is shown as written, never rendered.
    text = group_text(message) if conversation.group_openid else message.payload.get("text")
    return {
        "content": str(text or ""),
        "msg_type": TEXT_MESSAGE,
        "msg_id": pin.message_id,
        "msg_seq": pin.sequence,
    }


def _classify(message: OutboxMessage, pin: Pin, error: client.QQBotAPIError) -> SendResult:
    if error.error_class == client.ErrorClass.DUPLICATE:
        if pin.reused:
            # An earlier try of this very row was accepted but its answer never reached us.
            return SendResult(AttemptOutcome.SENT, error.code, "accepted by an earlier try")
        _unpin(message)
        return SendResult(AttemptOutcome.TEMPORARY, error.code, "sequence taken; renumbered")
    if error.error_class == client.ErrorClass.WINDOW:
        _unpin(message)
        return SendResult(AttemptOutcome.WINDOW, error.code, "passive reply window closed")
    if error.error_class == client.ErrorClass.TEMPORARY:
        return SendResult(AttemptOutcome.TEMPORARY, error.code, error.detail)
    return SendResult(AttemptOutcome.PERMANENT, error.code, error.detail)


class QQBotAdapter:
    kind = ChannelKind.QQBOT.value

    def window_allows(self, message: OutboxMessage, now: datetime) -> bool:
        anchor = anchor_for(message, now)
        if anchor is None or not anchor.is_open(now):
            return False
        if message.payload.get("msg_id") == anchor.message_id:
            return True
        if anchor.message_id == message.payload.get("reply_to"):
            return len(_sequences_pinned(message, anchor.message_id)) < REPLIES_PER_MESSAGE
        return _replies_used(message.account, message.recipient) < REPLIES_PER_MESSAGE

    def send(self, message: OutboxMessage) -> SendResult:
        try:
            conversation = parse_conversation(message.recipient)
        except PayloadError:
            return SendResult(AttemptOutcome.PERMANENT, "recipient", "not a QQ bot conversation")
        anchor = anchor_for(message, timezone.now())
        if anchor is None:
            return SendResult(AttemptOutcome.WINDOW, "window", "no message to reply to")

        pin = _pin(message, anchor)
        try:
            sent = client.post_message(
                message.account, _path(conversation), _body(message, conversation, pin)
            )
        except client.QQBotAPIError as error:
            return _classify(message, pin, error)
        except CredentialsError as error:
            return SendResult(AttemptOutcome.PERMANENT, "credentials", str(error))
        return SendResult(AttemptOutcome.SENT, detail=f"message_id={sent.message_id}"[:200])

    def note_inbound(self, account: Account, external_id: str, at: datetime) -> None:
        outbox.reopen_window(account, external_id, at)

    def process_delivery(self, delivery: InboundDelivery) -> str:
        return process_delivery(delivery)

    def is_one_to_one(self, external_id: str) -> bool:
        return external_id.startswith("c2c:")


QQBOT = register(QQBotAdapter())
