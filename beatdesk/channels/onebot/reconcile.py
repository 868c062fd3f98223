"""Recover QQ messages posted while Beatdesk could not be reached, from the bot's history.

OneBot implementations post each event once and never retry, so whatever arrived during
an outage of ours is gone from the push path. NapCat keeps the chats' history and serves it
(`get_group_msg_history`, `get_friend_msg_history`); reading it back for a recent window
and storing each message under the same delivery key a push would have had recovers the
missed ones and leaves the ones we have alone. Recovered messages go through the same
inbox path as pushed ones: their automatic answers, a 110 answer included, go out through
the outbox.
"""

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from beatdesk.channels.deliveries import store_delivery
from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.onebot.adapter import process_delivery
from beatdesk.channels.onebot.client import OneBotAPIError, call
from beatdesk.channels.onebot.schemas import (
    MessageEvent,
    PayloadError,
    parse_conversation,
    parse_event,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
# A bound on how far back one chat is read in one run, whatever the window says.
MAX_PAGES = 10
# Chats a resident wrote in lately are read back; older ones are assumed quiet.
RECENT_CHATS = timedelta(days=7)


@dataclass
class Report:
    chats: int = 0
    read: int = 0
    recovered: int = 0
    failed_chats: int = 0


@dataclass(frozen=True)
class Chat:
    kind: str  # "group" or "private"
    chat_id: str

    @property
    def action(self) -> str:
        return "get_group_msg_history" if self.kind == "group" else "get_friend_msg_history"

    @property
    def id_param(self) -> str:
        return "group_id" if self.kind == "group" else "user_id"


def chats_of(account: Account, now: datetime) -> list[Chat]:
    """Return the groups the account watches and the chats residents used lately."""
    settings = account.channel_settings if isinstance(account.channel_settings, dict) else {}
    groups = settings.get("groups")
    found = {Chat("group", str(gid)) for gid in groups} if isinstance(groups, dict) else set()
    recent = account.residents.filter(last_seen_at__gte=now - RECENT_CHATS)
    for external_id in recent.values_list("external_id", flat=True):
        try:
            conversation = parse_conversation(external_id)
        except PayloadError:
            continue
        if conversation.group_id:
            found.add(Chat("group", conversation.group_id))
        else:
            found.add(Chat("private", conversation.user_id))
    return sorted(found, key=lambda chat: (chat.kind, chat.chat_id))


def _pages(account: Account, chat: Chat, since: int) -> Iterator[list[dict[str, Any]]]:
    """Yield pages of the chat's history, newest page first, until the window is passed."""
    seq: str | None = None
    for _page in range(MAX_PAGES):
        params: dict[str, Any] = {chat.id_param: chat.chat_id, "count": PAGE_SIZE}
        if seq is not None:
            params["message_seq"] = seq
        data = call(account, chat.action, params)
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list) or not messages:
            return
        page = [item for item in messages if isinstance(item, dict)]
        yield page
        if len(messages) < PAGE_SIZE:
            return
        oldest = min(page, key=lambda item: int(item.get("time") or 0), default=None)
        next_seq = None if oldest is None else str(oldest.get("message_seq", ""))
        if oldest is None or int(oldest.get("time") or 0) < since or next_seq in {seq, ""}:
            return
        seq = next_seq


def _recover(account: Account, item: dict[str, Any]) -> bool:
    """Store one history message as its push would have been; return whether it was new."""
    # History entries are message events; NapCat marks them so, others may leave it out.
    event_body = {"post_type": "message"} | item
    raw = json.dumps(event_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        event = parse_event(raw.decode("utf-8"))
    except PayloadError:
        return False
    if not isinstance(event, MessageEvent) or event.self_id != account.app_id:
        return False
    stored = store_delivery(account, event.delivery_key, raw, raw.decode("utf-8"))
    if not stored.is_new:
        return False
    # The inbox step queues the automatic answer, 110 included, since no push is left to
    # carry it: nothing was acknowledged with it.
    process_delivery(stored.delivery)
    return True


def reconcile_account(account: Account, window: timedelta, now: datetime | None = None) -> Report:
    """Read back every chat's last `window` of history and store what we never received."""
    moment = now or timezone.now()
    since = int(moment.timestamp() - window.total_seconds())
    report = Report()
    for chat in chats_of(account, moment):
        report.chats += 1
        try:
            items = [item for page in _pages(account, chat, since) for item in page]
        except OneBotAPIError as error:
            report.failed_chats += 1
            logger.warning(
                "onebot history unreadable account=%s kind=%s code=%s",
                account.code,
                chat.kind,
                error.code,
            )
            continue
        # Pages overlap by the message they start from; each message counts once, oldest
        # first, so cases open and join in the order residents wrote.
        unique = {(str(i.get("message_id")), str(i.get("time"))): i for i in items}.values()
        in_window = [item for item in unique if int(item.get("time") or 0) >= since]
        for item in sorted(in_window, key=lambda item: int(item.get("time") or 0)):
            report.read += 1
            report.recovered += _recover(account, item)
    logger.info(
        "onebot reconciled account=%s chats=%s read=%s recovered=%s",
        account.code,
        report.chats,
        report.read,
        report.recovered,
    )
    return report


def reconcile_all(window: timedelta) -> Report:
    """Reconcile every active OneBot account; one account's trouble does not stop the rest."""
    total = Report()
    started = time.monotonic()
    for account in Account.objects.filter(kind=ChannelKind.ONEBOT, is_active=True):
        try:
            report = reconcile_account(account, window)
        except Exception:
            logger.exception("onebot reconcile failed account=%s", account.code)
            continue
        total.chats += report.chats
        total.read += report.read
        total.recovered += report.recovered
        total.failed_chats += report.failed_chats
    logger.info("onebot reconcile finished seconds=%.1f", time.monotonic() - started)
    return total
