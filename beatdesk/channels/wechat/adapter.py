"""The WeChat Official Account adapter: receive pushes into the inbox, send answers out."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.bindings import (
    is_binding_command,
    register_alert_channel,
    take_binding_command,
)
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
from beatdesk.channels.wechat.templates import alert_template_of, has_alert_template, template_body
from beatdesk.inbox.actions import do_receive_message

logger = logging.getLogger(__name__)
unsupported_logger = logging.getLogger("beatdesk.channels.wechat.unsupported")

WINDOW = timedelta(hours=48)
MESSAGES_PER_WINDOW = 5
MAX_TEXT_BYTES = 2048
WINDOW_ERRORS = {45015, 45047}
PERMANENT_ERRORS = {40003, 40013, 40125, 40164, 43004, 45002, 48001, 50002}
# A template message has no window. 40037 is a wrong template id, 47001 and 47003 a body or
# value the template refuses: the account's configuration, which no retry changes.
TEMPLATE_PERMANENT_ERRORS = PERMANENT_ERRORS | {40037, 47001, 47003}
# Errors about the one officer (not following, unknown or restricted), not the account.
RECIPIENT_ERRORS = {40003, 43004, 50002}


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored push to the inbox once; return the automatic answer queued for it."""
    return process_once(delivery, parse_message, _hand_to_inbox, PayloadError)


def _hand_to_inbox(delivery: InboundDelivery, message: WeChatMessage) -> str:
    account = delivery.account
    binding_reply = _answer_binding_command(delivery, message)
    if binding_reply is not None:
        return binding_reply
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


def _answer_binding_command(delivery: InboundDelivery, message: WeChatMessage) -> str | None:
    """Bind a member of staff's WeChat if the text is a binding command; it opens no case."""
    if message.msg_type != "text" or not is_binding_command(message.content):
        return None
    # The officer's own message opens the window their confirmation is sent in.
    WECHAT.note_inbound(delivery.account, message.from_user, timezone.now())
    return take_binding_command(delivery, message.from_user, message.content)


class WeChatAdapter:
    kind = ChannelKind.WECHAT.value

    def window_allows(self, message: OutboxMessage, now: datetime) -> bool:
        if message.kind == outbox.ALERT_KIND:
            # Alerts go as template messages, which WeChat sends outside any window.
            return True
        contact = ChannelContact.objects.filter(
            account=message.account, external_id=message.recipient
        ).first()
        if contact is None or contact.last_inbound_at is None:
            return False
        within = now - contact.last_inbound_at < WINDOW
        return within and contact.sent_since_inbound < MESSAGES_PER_WINDOW

    def send(self, message: OutboxMessage) -> SendResult:
        if message.kind == outbox.ALERT_KIND:
            return _send_alert(message)
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

    def is_one_to_one(self, external_id: str) -> bool:
        # An Official Account only ever writes to one follower at a time.
        return True


def _classify(error: client.WeChatAPIError) -> SendResult:
    code = "" if error.code is None else str(error.code)
    if error.code in WINDOW_ERRORS:
        return SendResult(AttemptOutcome.WINDOW, code, error.detail)
    if error.code in PERMANENT_ERRORS:
        return SendResult(AttemptOutcome.PERMANENT, code, error.detail)
    return SendResult(AttemptOutcome.TEMPORARY, code or "network", error.detail)


def _send_alert(message: OutboxMessage) -> SendResult:
    template = alert_template_of(message.account)
    if template is None:
        return SendResult(AttemptOutcome.PERMANENT, "no-template", "no alert template set")
    # WeChat sends one message per openid and client_msg_id within ten minutes, which
    # covers a second try after a worker died between WeChat's answer and our record.
    body = template_body(
        template, message.recipient, message.payload, f"beatdesk-outbox-{message.pk}"
    )
    try:
        msgid = client.send_template(message.account, body)
    except client.WeChatAPIError as error:
        return _classify_template(error)
    except CredentialsError as error:
        return SendResult(AttemptOutcome.PERMANENT, "credentials", str(error))
    return SendResult(AttemptOutcome.SENT, detail=f"msgid={msgid}"[:200])


def _classify_template(error: client.WeChatAPIError) -> SendResult:
    code = "" if error.code is None else str(error.code)
    if error.code in TEMPLATE_PERMANENT_ERRORS:
        about_recipient = error.code in RECIPIENT_ERRORS
        return SendResult(
            AttemptOutcome.PERMANENT, code, error.detail, about_recipient=about_recipient
        )
    return SendResult(AttemptOutcome.TEMPORARY, code or "network", error.detail)


WECHAT = register(WeChatAdapter())
register_alert_channel(WECHAT.kind, has_alert_template)
