"""The Weibo adapter: comments and mentions read by polling, private messages pushed.

A resident is one Weibo user in one kind of conversation: `public:<uid>` for comments and
posts that speak to the account, `private:<uid>` for private messages of the fan-service
platform. An answer goes back the way the question came: a public question is answered
with a comment under it, a private one privately, and never the other way round.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from beatdesk.audit.actions import record
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
from beatdesk.channels.weibo import client
from beatdesk.channels.weibo.credentials import CredentialsError
from beatdesk.channels.weibo.schemas import (
    PayloadError,
    PolledItem,
    Push,
    parse_polled,
    parse_push,
)
from beatdesk.channels.weibo.sharing import ShareRefused, prepare, settings_of, weibo_length
from beatdesk.core import ratelimit
from beatdesk.inbox.actions import do_receive_message
from beatdesk.inbox.models import Direction, Message

logger = logging.getLogger(__name__)
unsupported_logger = logging.getLogger("beatdesk.channels.weibo.unsupported")

PRIVATE_WINDOW = timedelta(hours=48)
# Weibo counts two Latin characters as one Chinese one (`sharing.weibo_length`): comments
# hold 140 of those, private texts under 300.
MAX_COMMENT_LENGTH = 140
MAX_PRIVATE_LENGTH = 299
COMMENTS_PER_HOUR = ratelimit.Limit("weibo.comments", 60, timedelta(hours=1))
PRIVATE_PER_HOUR = ratelimit.Limit("weibo.private", 60, timedelta(hours=1))
POSTS_PER_HOUR = ratelimit.Limit("weibo.posts", 30, timedelta(hours=1))
# What an account that the share API refused is flagged with, wherever accounts are listed.
BY_HAND_FLAG = "weibo-publish-by-hand"


# Receiving.


def process_delivery(delivery: InboundDelivery) -> str:
    """Hand a stored item or push to the inbox once; return the automatic answer queued."""
    is_push = delivery.delivery_key.startswith("push:")
    parse: Callable[[str], Push | PolledItem] = parse_push if is_push else parse_polled
    return process_once(delivery, parse, _hand_to_inbox, PayloadError)


def _hand_to_inbox(delivery: InboundDelivery, parsed: Push | PolledItem) -> str:
    if isinstance(parsed, Push):
        return _receive_push(delivery, parsed)
    return _receive_polled(delivery, parsed)


def _receive_polled(delivery: InboundDelivery, item: PolledItem) -> str:
    account = delivery.account
    if account.original_id and item.user_id == account.original_id:
        # The account's own comments come back in its lists; they are our answers.
        return ""
    do_receive_message(account, delivery, item.to_incoming())
    # The automatic answer is not posted: its tracking code would be public under the post.
    return ""


def _receive_push(delivery: InboundDelivery, push: Push) -> str:
    account = delivery.account
    if not push.is_known:
        # The platform asks that unknown types be ignored; the raw push is kept.
        unsupported_logger.info(
            "unsupported weibo push account=%s delivery=%s type=%s subtype=%s",
            account.code,
            delivery.pk,
            push.type,
            push.subtype,
        )
        return ""
    receipt = do_receive_message(account, delivery, push.to_incoming())
    if push.opens_window:
        WEIBO.note_inbound(account, push.external_id, timezone.now())
        queue_automatic_reply(delivery, push.external_id, receipt.automatic_reply)
    elif push.subtype == "unfollow":
        ChannelContact.objects.filter(account=account, external_id=push.external_id).update(
            last_inbound_at=None
        )
    return receipt.automatic_reply


# Sending.


def _answered_case_id(message: OutboxMessage) -> int | None:
    answer = Message.objects.filter(outbox=message).only("case_id").first()
    return answer.case_id if answer is not None else None


def public_target(message: OutboxMessage) -> dict[str, str]:
    """Return the comment or post an answer belongs under: the resident's latest in the case."""
    inbound = Message.objects.filter(
        resident__account=message.account,
        resident__external_id=message.recipient,
        direction=Direction.INBOUND,
    )
    case_id = _answered_case_id(message)
    if case_id is not None:
        inbound = inbound.filter(case_id=case_id)
    for earlier in inbound.order_by("-sent_at", "-id")[:50]:
        attributes = earlier.attributes or {}
        if attributes.get("status_id"):
            return {key: str(value) for key, value in attributes.items()}
    return {}


def _rip(account: Account) -> str:
    value = (account.channel_settings or {}).get("rip", "")
    return value if isinstance(value, str) else ""


def _send_public(message: OutboxMessage, text: str) -> str:
    target = public_target(message)
    if not target:
        raise client.WeiboAPIError("no-target", "no comment or post to answer", permanent=True)
    account = message.account
    if target.get("item_kind") == "comment" and target.get("comment_id"):
        return client.reply_to_comment(
            account, target["comment_id"], target["status_id"], text, _rip(account)
        )
    return client.comment_on_post(account, target["status_id"], text, _rip(account))


def _over_limits(message: OutboxMessage, text: str) -> SendResult | None:
    """Refuse what Weibo would refuse, before spending a call on it."""
    private = message.recipient.startswith("private:")
    longest = MAX_PRIVATE_LENGTH if private else MAX_COMMENT_LENGTH
    if weibo_length(text) > longest:
        detail = f"text longer than {longest} Weibo characters"
        return SendResult(AttemptOutcome.PERMANENT, "too-long", detail)
    limit = PRIVATE_PER_HOUR if private else COMMENTS_PER_HOUR
    if ratelimit.exceeded(limit, message.account.code):
        return SendResult(AttemptOutcome.TEMPORARY, "hourly-limit", "hourly limit reached")
    return None


def turn_to_publishing_by_hand(account: Account) -> None:
    """Mark the account to publish by hand from now on, and flag it for its operators."""
    stored = dict(account.channel_settings or {}) | {"publish_by_hand": True}
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(
            channel_settings=stored, needs_attention=BY_HAND_FLAG
        )
        record("account.publish_by_hand", account, unit=account.unit, error_code="10014")
    account.channel_settings, account.needs_attention = stored, BY_HAND_FLAG
    logger.warning("weibo account turned to publishing by hand account=%s", account.code)


def _send_post(message: OutboxMessage) -> SendResult:
    """Publish a post through statuses/share, its rules checked again just before."""
    account = message.account
    try:
        text = prepare(str(message.payload.get("text", "")), settings_of(account))
    except ShareRefused as refused:
        return SendResult(AttemptOutcome.PERMANENT, refused.code, "refused before sending")
    if ratelimit.exceeded(POSTS_PER_HOUR, account.code):
        return SendResult(AttemptOutcome.TEMPORARY, "hourly-limit", "hourly limit reached")
    ratelimit.note(POSTS_PER_HOUR, account.code)
    try:
        shared = client.share(account, text, str(message.payload.get("rip", "")))
    except client.WeiboAPIError as error:
        if error.code == str(client.NO_PERMISSION):
            turn_to_publishing_by_hand(account)
            return SendResult(AttemptOutcome.MANUAL, error.code, "app may not share; by hand")
        return _classify(error)
    return SendResult(AttemptOutcome.SENT, external_id=shared.post_id, external_url=shared.url)


def _classify(error: client.WeiboAPIError) -> SendResult:
    outcome = AttemptOutcome.PERMANENT if error.permanent else AttemptOutcome.TEMPORARY
    return SendResult(outcome, error.code, error.detail)


class WeiboAdapter:
    kind = ChannelKind.WEIBO.value

    def window_allows(self, message: OutboxMessage, now: datetime) -> bool:
        if message.kind == outbox.POST_KIND or not message.recipient.startswith("private:"):
            # Posts and comments may go at any time; hourly limits are checked in send.
            return True
        contact = ChannelContact.objects.filter(
            account=message.account, external_id=message.recipient
        ).first()
        if contact is None or contact.last_inbound_at is None:
            return False
        return now - contact.last_inbound_at < PRIVATE_WINDOW

    def send(self, message: OutboxMessage) -> SendResult:
        if message.kind == outbox.POST_KIND:
            try:
                return _send_post(message)
            except CredentialsError as error:
                return SendResult(AttemptOutcome.PERMANENT, "credentials", str(error))
        text = str(message.payload.get("text", ""))
        refused = _over_limits(message, text)
        if refused is not None:
            return refused
        kind, _separator, uid = message.recipient.partition(":")
        try:
            if kind == "private":
                ratelimit.note(PRIVATE_PER_HOUR, message.account.code)
                client.reply_privately(message.account, uid, text)
                sent_id = ""
            else:
                ratelimit.note(COMMENTS_PER_HOUR, message.account.code)
                sent_id = _send_public(message, text)
        except client.WeiboAPIError as error:
            return _classify(error)
        except CredentialsError as error:
            return SendResult(AttemptOutcome.PERMANENT, "credentials", str(error))

        outbox.count_sent(message)
        return SendResult(AttemptOutcome.SENT, detail=f"comment_id={sent_id}" if sent_id else "")

    def note_inbound(self, account: Account, external_id: str, at: datetime) -> None:
        outbox.reopen_window(account, external_id, at)

    def process_delivery(self, delivery: InboundDelivery) -> str:
        return process_delivery(delivery)

    def is_one_to_one(self, external_id: str) -> bool:
        # Comments and mentions are public; only fan-service private messages are not.
        return external_id.startswith("private:")


WEIBO = register(WeiboAdapter())
