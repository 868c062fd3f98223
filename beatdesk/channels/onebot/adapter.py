"""The QQ adapter over OneBot v11: receive group and private messages, send answers back.

A resident is one person in one conversation: `private:<qq>` for what they write to the
bot, `group:<group>:<qq>` for what they write in a group. An answer therefore goes back
exactly where the question was asked, and an answer to a private report can never land
in a group.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from beatdesk.channels import outbox
from beatdesk.channels.deliveries import mark_unparsable
from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    ChannelContact,
    ChannelKind,
    DeliveryStatus,
    InboundDelivery,
    OutboxMessage,
)
from beatdesk.channels.onebot import client
from beatdesk.channels.onebot.credentials import CredentialsError
from beatdesk.channels.onebot.routing import Route, route_group_message, rules_for
from beatdesk.channels.onebot.schemas import (
    Event,
    MessageEvent,
    NoticeEvent,
    PayloadError,
    Segment,
    parse_conversation,
    parse_event,
)
from beatdesk.channels.registry import SendResult, register
from beatdesk.inbox.actions import do_receive_message
from beatdesk.inbox.models import OPEN_STATUSES, Case, Message
from beatdesk.units.models import Role

logger = logging.getLogger(__name__)
unsupported_logger = logging.getLogger("beatdesk.channels.onebot.unsupported")
anomalous_logger = logging.getLogger("beatdesk.channels.onebot.anomalous")


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored event to the inbox once; return the automatic reply owed for it."""
    try:
        event = parse_event(delivery.payload)
    except PayloadError as error:
        mark_unparsable(delivery, str(error))
        return ""

    with transaction.atomic():
        locked = InboundDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.RECEIVED:
            return locked.reply
        reply = _hand_to_inbox(locked, event)
        _finish(locked, reply)
    return reply


def _hand_to_inbox(delivery: InboundDelivery, event: Event) -> str:
    account = delivery.account
    if isinstance(event, MessageEvent):
        return _receive_message(delivery, event)
    if isinstance(event, NoticeEvent) and event.is_known:
        do_receive_message(account, delivery, event.to_incoming())
        return ""

    # Requests, recalls, pokes and unknown post types are kept raw and nothing more.
    post_type = event.notice_type if isinstance(event, NoticeEvent) else type(event).__name__
    unsupported_logger.info(
        "unsupported onebot event account=%s delivery=%s type=%s",
        account.code,
        delivery.pk,
        post_type,
    )
    return ""


def _receive_message(delivery: InboundDelivery, event: MessageEvent) -> str:
    account = delivery.account
    if event.segments.skipped:
        anomalous_logger.warning(
            "onebot message with unreadable segments account=%s delivery=%s skipped=%s",
            account.code,
            delivery.pk,
            event.segments.skipped,
        )
    incoming = event.to_incoming(_route(account, event), _reply_link(account, event))
    receipt = do_receive_message(account, delivery, incoming)
    ONEBOT.note_inbound(account, incoming.external_id, timezone.now())
    return receipt.automatic_reply


def _route(account: Account, event: MessageEvent) -> str:
    if event.message_type == "private":
        return Route.PRIVATE
    route = route_group_message(event, rules_for(account, event.group_id))
    if route:
        return route
    # What a member adds while their case is open belongs to it (an address, a time).
    open_case = Case.objects.filter(
        account=account,
        resident__external_id=event.conversation.external_id,
        status__in=OPEN_STATUSES,
    )
    return Route.FOLLOW_UP if open_case.exists() else Route.CONTEXT


def _reply_link(account: Account, event: MessageEvent) -> dict[str, str]:
    """Point at our copy of the message this one replies to, if we hold it."""
    if not event.reply_to:
        return {}
    chat = event.group_id or event.user_id
    prefix = f"msg:{event.self_id}:{event.message_type}:{chat}:{event.reply_to}:"
    earlier = Message.objects.filter(
        delivery__account=account, delivery__delivery_key__startswith=prefix
    ).first()
    return {"reply_to_message": str(earlier.pk)} if earlier else {}


def _finish(delivery: InboundDelivery, reply: str) -> None:
    delivery.status = DeliveryStatus.PROCESSED
    delivery.reply = reply
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    delivery.save(update_fields=["status", "reply", "processed_at", "attempts"])


# Sending.


def text_segment(text: str) -> Segment:
    """Wrap text as one text segment: its brackets can never become CQ codes."""
    return Segment("text", {"text": text})


def automatic_reply_operation(account: Account, recipient: str, reply: str) -> dict[str, object]:
    """Return the quick operation that carries the automatic reply in the event's response."""
    conversation = parse_conversation(recipient)
    if not conversation.group_id:
        return {"reply": [text_segment(reply).to_wire()]}
    text = f"【{account.unit.name}】{reply}"
    return {"reply": [text_segment(text).to_wire()], "at_sender": True}


def _speaker(message: OutboxMessage) -> str:
    """Return who speaks in a group answer: the unit, and the officer who wrote it."""
    answer = Message.objects.filter(outbox=message).select_related("author", "case__unit").first()
    unit = message.account.unit
    if answer is not None and answer.case is not None:
        unit = answer.case.unit
    if answer is None or answer.author is None:
        return unit.name
    with translation.override(settings.LANGUAGE_CODE):
        name = answer.author.display_name or str(Role.OFFICER.label)
    return f"{unit.name} {name}"


def group_text(message: OutboxMessage) -> str:
    """Return the answer as the group reads it, prefixed with who speaks.

    The final text is written into the outbox row before the first try, so every retry
    sends the same words and the row shows what the group was told.
    """
    final = message.payload.get("sent_text")
    if isinstance(final, str):
        return final
    final = f"【{_speaker(message)}】{message.payload.get('text', '')}"
    message.payload["sent_text"] = final
    OutboxMessage.objects.filter(pk=message.pk).update(payload=message.payload)
    return final


def _segments_for(message: OutboxMessage) -> list[Segment]:
    conversation = parse_conversation(message.recipient)
    if not conversation.group_id:
        return [text_segment(str(message.payload.get("text", "")))]
    mention = Segment("at", {"qq": conversation.user_id})
    return [mention, text_segment(" " + group_text(message))]


def _classify(error: client.OneBotAPIError) -> SendResult:
    outcome = AttemptOutcome.PERMANENT if error.permanent else AttemptOutcome.TEMPORARY
    return SendResult(outcome, error.code, error.detail)


class OneBotAdapter:
    kind = ChannelKind.ONEBOT.value

    def window_allows(self, message: OutboxMessage, now: datetime) -> bool:
        # QQ has no reply window like WeChat's: a group member or friend can be written to
        # at any time, and whether the bot may is the implementation's answer to the send.
        return True

    def send(self, message: OutboxMessage) -> SendResult:
        try:
            segments = _segments_for(message)
        except PayloadError:
            return SendResult(AttemptOutcome.PERMANENT, "recipient", "not a OneBot conversation")
        try:
            conversation = parse_conversation(message.recipient)
            message_id = client.send_segments(message.account, conversation, segments)
        except client.OneBotAPIError as error:
            return _classify(error)
        except CredentialsError as error:
            return SendResult(AttemptOutcome.PERMANENT, "credentials", str(error))

        ChannelContact.objects.filter(
            account=message.account, external_id=message.recipient
        ).update(sent_since_inbound=F("sent_since_inbound") + 1)
        return SendResult(AttemptOutcome.SENT, detail=f"message_id={message_id}"[:200])

    def note_inbound(self, account: Account, external_id: str, at: datetime) -> None:
        ChannelContact.objects.update_or_create(
            account=account,
            external_id=external_id,
            defaults={"last_inbound_at": at, "sent_since_inbound": 0},
        )
        outbox.release_held(account, external_id)

    def process_delivery(self, delivery: InboundDelivery) -> str:
        return process_delivery(delivery)


ONEBOT = register(OneBotAdapter())
