"""The QQ adapter over OneBot v11: receive group and private messages, send answers back.

A resident is one person in one conversation: `private:<qq>` for what they write to the
bot, `group:<group>:<qq>` for what they write in a group. An answer therefore goes back
exactly where the question was asked, and an answer to a private report can never land
in a group.
"""

import logging
from datetime import datetime

from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.bindings import register_alert_channel, take_binding_command
from beatdesk.channels.deliveries import process_once, queue_automatic_reply
from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    ChannelKind,
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
    message_key_prefix,
    parse_conversation,
    parse_event,
)
from beatdesk.channels.registry import SendResult, register
from beatdesk.channels.speakers import group_text
from beatdesk.inbox.actions import do_receive_message
from beatdesk.inbox.models import OPEN_STATUSES, Case, Message

logger = logging.getLogger(__name__)
unsupported_logger = logging.getLogger("beatdesk.channels.onebot.unsupported")
anomalous_logger = logging.getLogger("beatdesk.channels.onebot.anomalous")


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored event to the inbox once; return the automatic answer queued for it."""
    return process_once(delivery, parse_event, _hand_to_inbox, PayloadError)


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
    # Only a private chat binds an officer's QQ: a code posted in a group is everyone's.
    if event.message_type == "private":
        external_id = event.conversation.external_id
        binding_reply = take_binding_command(delivery, external_id, event.text)
        if binding_reply is not None:
            return binding_reply
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
    queue_automatic_reply(delivery, incoming.external_id, receipt.automatic_reply)
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
    prefix = message_key_prefix(event, event.reply_to)
    earlier = Message.objects.filter(
        delivery__account=account, delivery__delivery_key__startswith=prefix
    ).first()
    return {"reply_to_message": str(earlier.pk)} if earlier else {}


# Sending.


def text_segment(text: str) -> Segment:
    """Wrap text as one text segment: its brackets can never become CQ codes."""
    return Segment("text", {"text": text})


def automatic_reply_operation(account: Account, recipient: str, reply: str) -> dict[str, object]:
    """Return the quick operation that carries a 110 answer in the event's response."""
    conversation = parse_conversation(recipient)
    if not conversation.group_id:
        return {"reply": [text_segment(reply).to_wire()]}
    text = f"【{account.unit.name}】{reply}"
    return {"reply": [text_segment(text).to_wire()], "at_sender": True}


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

        outbox.count_sent(message)
        return SendResult(AttemptOutcome.SENT, detail=f"message_id={message_id}"[:200])

    def note_inbound(self, account: Account, external_id: str, at: datetime) -> None:
        outbox.reopen_window(account, external_id, at)

    def process_delivery(self, delivery: InboundDelivery) -> str:
        return process_delivery(delivery)

    def is_one_to_one(self, external_id: str) -> bool:
        return external_id.startswith("private:")


ONEBOT = register(OneBotAdapter())
# Any QQ bot can alert an officer who bound their QQ in a private chat with it.
register_alert_channel(ONEBOT.kind, lambda account: True)
