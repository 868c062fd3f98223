"""Polling an account's lists: store every new item raw, then move the cursor, then process.

Each list is read newest first. A walk asks for ids above the cursor (`since_id`) and pages
down with `max_id` until it reaches the cursor, storing each item as a delivery keyed by
its id as it goes. Only when the walk reached the cursor does the cursor move, so a walk
cut short (a failed page, the page bound) loses nothing: the next poll resumes where it
stopped, and items stored twice meet their unique key instead of becoming two messages.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from beatdesk.channels.deliveries import store_delivery
from beatdesk.channels.models import (
    Account,
    ChannelKind,
    DeliveryStatus,
    InboundDelivery,
    PollCursor,
)
from beatdesk.channels.weibo import client
from beatdesk.channels.weibo.adapter import process_delivery
from beatdesk.channels.weibo.credentials import CredentialsError
from beatdesk.channels.weibo.schemas import (
    STREAMS,
    Page,
    PayloadError,
    Stream,
    clean_text,
    delivery_key,
    delivery_payload,
    parse_page,
)

logger = logging.getLogger(__name__)
anomalous_logger = logging.getLogger("beatdesk.channels.weibo.anomalous")

PAGE_SIZE = 50
# Pages per walk and poll: 3 lists x 4 pages stays far inside 150 calls an hour at one
# poll every five minutes; a longer backlog is finished by the following polls.
MAX_PAGES = 4
POLL_INTERVAL = timedelta(minutes=5)


@dataclass
class Walk:
    """Where a walk down one list stands."""

    since_id: str
    max_id: str
    top_id: str
    stored: int = 0
    reached_cursor: bool = False


@dataclass(frozen=True)
class PollReport:
    """What one poll of an account did, for the command's output and the logs."""

    stored: int
    processed: int
    failed_streams: tuple[str, ...] = ()


def _cursor(account: Account, stream: Stream) -> PollCursor:
    cursor, _created = PollCursor.objects.get_or_create(account=account, stream=stream.name)
    return cursor


def _store_page(account: Account, stream: Stream, page: Page) -> int:
    if page.skipped:
        anomalous_logger.warning(
            "weibo page with unreadable entries account=%s stream=%s skipped=%s",
            account.code,
            stream.name,
            page.skipped,
        )
    stored = 0
    # Oldest first, so that the inbox receives a page in the order it was written.
    for item in reversed(page.items):
        # The raw record keeps every character of the item, stray ones included.
        written = delivery_payload(stream, item)
        raw = written.encode("utf-8", "surrogatepass")
        key = delivery_key(stream, item)
        stored += store_delivery(account, key, raw, clean_text(written)).is_new
    return stored


def _walk_one_page(account: Account, stream: Stream, walk: Walk) -> None:
    body = client.fetch_page(account, stream, walk.since_id, walk.max_id, PAGE_SIZE)
    try:
        page = parse_page(body, stream)
    except PayloadError as error:
        raise client.WeiboAPIError("bad-page", str(error), permanent=False) from None
    walk.stored += _store_page(account, stream, page)
    walk.top_id = walk.top_id or page.newest_id
    oldest = page.oldest_id
    # Without a cursor (the first poll) only the newest page is taken: the account's
    # history before Beatdesk is not a queue of cases.
    below_cursor = bool(oldest) and bool(walk.since_id) and int(oldest) <= int(walk.since_id)
    if not page.has_more or not oldest or below_cursor or not walk.since_id:
        walk.reached_cursor = True
    else:
        walk.max_id = str(int(oldest) - 1)


def _start(cursor: PollCursor) -> Walk:
    if cursor.resume_max_id:
        return Walk(cursor.since_id, cursor.resume_max_id, cursor.walk_top_id)
    return Walk(cursor.since_id, "", "")


def _finish(cursor: PollCursor, walk: Walk, now: datetime) -> None:
    """Move the cursor: to the newest item once the walk reached it, else note the place."""
    if walk.reached_cursor:
        cursor.since_id = walk.top_id or cursor.since_id
        cursor.resume_max_id, cursor.walk_top_id = "", ""
    else:
        cursor.resume_max_id, cursor.walk_top_id = walk.max_id, walk.top_id
    cursor.polled_at = now
    cursor.save(update_fields=["since_id", "resume_max_id", "walk_top_id", "polled_at"])


def poll_stream(account: Account, stream: Stream, now: datetime) -> int:
    """Walk one list from the cursor, at most MAX_PAGES pages; return items newly stored."""
    cursor = _cursor(account, stream)
    walk = _start(cursor)
    for _page in range(MAX_PAGES):
        # A failure raises before the cursor moves; what was stored stays stored.
        _walk_one_page(account, stream, walk)
        if walk.reached_cursor:
            break
    with transaction.atomic():
        _finish(cursor, walk, now)
    return walk.stored


def _process_received(account: Account) -> int:
    """Hand every stored, unprocessed item of the account to the inbox, oldest first."""
    waiting = InboundDelivery.objects.filter(account=account, status=DeliveryStatus.RECEIVED)
    # Pages arrive newest first and a resumed walk stores older pages later: the item ids,
    # which grow with time, give the order in which residents wrote.
    batch = list(waiting.select_related("account").order_by("received_at", "pk")[:500])
    processed = 0
    for delivery in sorted(batch, key=_written_order):
        try:
            process_delivery(delivery)
            processed += 1
        except Exception:
            # Stored and committed: the minute sweep retries it with its attempt count.
            logger.exception("weibo item processing failed delivery=%s", delivery.pk)
    return processed


def _written_order(delivery: InboundDelivery) -> int:
    item_id = delivery.delivery_key.rpartition(":")[2]
    return int(item_id) if item_id.isdigit() else 0


def _flag(account: Account, flag: str) -> None:
    Account.objects.filter(pk=account.pk).update(needs_attention=flag[:64])
    account.needs_attention = flag[:64]
    logger.warning("weibo account flagged account=%s flag=%s", account.code, flag)


def poll_account(account: Account, now: datetime | None = None) -> PollReport:
    """Poll every list of one account, then process what was stored."""
    moment = now or timezone.now()
    stored, failed = 0, []
    for stream in STREAMS:
        try:
            stored += poll_stream(account, stream, moment)
        except client.WeiboAPIError as error:
            failed.append(stream.name)
            logger.warning(
                "weibo poll stopped account=%s stream=%s code=%s",
                account.code,
                stream.name,
                error.code,
            )
            if error.token_invalid:
                _flag(account, f"weibo-token-invalid:{error.code}")
            if error.token_invalid or error.rate_limited:
                break
        except CredentialsError as error:
            _flag(account, "weibo-credentials")
            logger.error("weibo credentials unusable account=%s error=%s", account.code, error)
            break
    return PollReport(stored, _process_received(account), tuple(failed))


def accounts_to_poll(code: str = "") -> list[Account]:
    """Return the active Weibo accounts to poll (one by code, or all), never flagged ones."""
    accounts = Account.objects.filter(kind=ChannelKind.WEIBO, is_active=True)
    if code:
        return list(accounts.filter(code=code))
    return list(accounts.exclude(needs_attention__startswith="weibo-token-invalid"))
