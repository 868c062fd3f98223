"""Storing what a channel pushed: the raw bytes under a delivery key, before any answer.

Every adapter stores the same way, so that a retry or a repeated event finds the row it
already has and nothing acknowledged is ever stored twice or lost; and every adapter hands
a stored push to the inbox the same way, so that it is handled exactly once.

The webhook request does only what cannot wait: verify, store, look for an emergency
with the rules alone, queue the inbox step for a worker and acknowledge. The worker runs
the inbox step and sends the automatic answer through the outbox.
"""

import logging
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery
from beatdesk.core.writelock import run_promptly
from beatdesk.inbox.classification import detect_emergency, emergency_reply

logger = logging.getLogger(__name__)

# The trust harness proves it can catch a lost push by running once with the answer moved
# before the commit. Only tests/trust/fault_settings.py defines BEATDESK_FAULTS, and a
# production environment ignores it even there.
ACK_BEFORE_COMMIT = "ack-before-commit"


def fault_is_on(name: str) -> bool:
    """Say whether a test settings module switched on this deliberate fault."""
    faults: Collection[str] = getattr(settings, "BEATDESK_FAULTS", frozenset())
    return not settings.PRODUCTION and name in faults


class AnsweredBeforeCommit(HttpResponse):
    """The fault's answer: the push is stored and handled only after this has gone out."""

    def __init__(
        self,
        work: Callable[[], object],
        content: str,
        status: int,
        content_type: str = "text/plain",
    ) -> None:
        super().__init__(content, status=status, content_type=content_type)
        self.work = work

    def close(self) -> None:
        # The server calls close() once the answer is written to the socket.
        try:
            with transaction.atomic():
                self.work()
        finally:
            super().close()


def answer_before_commit(
    account: Account,
    key: str,
    raw: bytes,
    payload: str,
    process: Callable[[InboundDelivery], object],
    acknowledgement: tuple[str, int],
    content_type: str = "text/plain",
) -> HttpResponse:
    """Acknowledge first, store and process afterwards: the fault the harness must catch."""
    content, status = acknowledgement
    return AnsweredBeforeCommit(
        lambda: process(store_delivery(account, key, raw, payload).delivery),
        content,
        status,
        content_type,
    )


@dataclass(frozen=True)
class Stored:
    """The outcome of storing a push: the delivery row and whether it was new."""

    delivery: InboundDelivery
    is_new: bool


def store_delivery(
    account: Account, key: str, raw: bytes, payload: str, emergency_answer: str = ""
) -> Stored:
    """Commit the raw push under its delivery key; a retry finds the row already there.

    `emergency_answer` is the 110 answer the acknowledgement will carry, if any; it is
    written in the same row so the worker can never run before it is recorded.
    """
    # The acknowledgement waits on this write, so it asks for SQLite's lock promptly.
    return run_promptly(lambda: _store(account, key, raw, payload, emergency_answer))


def _store(account: Account, key: str, raw: bytes, payload: str, emergency_answer: str) -> Stored:
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(
                account=account,
                delivery_key=key,
                raw_body=raw,
                payload=payload,
                emergency_answer=emergency_answer,
            )
        return Stored(delivery, True)
    except IntegrityError:
        existing = InboundDelivery.objects.get(account=account, delivery_key=key)
        return Stored(existing, False)


def emergency_answer_for(text: str) -> str:
    """Return the 110 answer the rules alone give this text, or an empty string.

    Only the Django-free rules run here, without the model or the database: they cost well
    under a millisecond, so a resident in danger is told to call 110 in the acknowledgement
    itself while everything else about the message waits for the worker.
    """
    if not text:
        return ""
    finding = detect_emergency(text, model=None)
    return emergency_reply(finding) if finding.is_emergency else ""


def hand_to_worker(delivery: InboundDelivery) -> None:
    """Queue the inbox step of a committed push; if the queue is down, the sweep does it.

    Call it after the push is committed and before answering, not through on_commit: the
    row is already durable, and a queue that refuses the task must never cost the
    acknowledgement, because the minute sweep finishes every push still `received`.

    A push the emergency rules flagged has already told the resident to call 110 in the
    acknowledgement; its inbox step (the case, the duty officer's banner, the alerts to
    their own WeChat or QQ) jumps the queue, and the worker runs it without waiting for
    its turn or resting. It runs here only when the queue refuses it: a step in the
    request holds one of the few web workers for tens of milliseconds, and every push
    behind it waits too, but a duty officer must not wait for the queue to come back.
    """
    # Imported here because the task module needs the app registry, as in inbox.actions.
    from beatdesk.channels import tasks

    if delivery.emergency_answer:
        _hand_over_urgently(delivery.pk)
        return
    try:
        tasks.process_pushed_delivery(delivery.pk)
    except Exception as error:
        logger.error(
            "push not queued, left for the sweep delivery=%s error=%s",
            delivery.pk,
            type(error).__name__,
        )


def _hand_over_urgently(delivery_id: int) -> None:
    from beatdesk.channels import tasks

    try:
        tasks.process_urgent_delivery(delivery_id)
        return
    except Exception as error:
        logger.error(
            "emergency not queued, handled in the request delivery=%s error=%s",
            delivery_id,
            type(error).__name__,
        )
    try:
        tasks.process_urgent_now(delivery_id)
    except Exception as error:
        # The push is stored: the sweep takes it as any other once a worker runs.
        logger.error(
            "emergency step failed in the request delivery=%s error=%s",
            delivery_id,
            type(error).__name__,
        )


def queue_automatic_reply(delivery: InboundDelivery, recipient: str, text: str) -> None:
    """Write the automatic answer to a push into the outbox, once per delivery.

    Call it inside the inbox step's transaction. The key is derived from the delivery, so
    a second run of the same step finds the row and sends nothing twice.
    """
    if not text:
        return
    outbox.enqueue(delivery.account, recipient, text, f"auto-reply:{delivery.pk}")
    transaction.on_commit(wake_relay)


def wake_relay() -> None:
    """Ask a worker to send what is due in the outbox now."""
    # Imported here because the task module needs the app registry, as in inbox.actions.
    from beatdesk.channels.tasks import relay_outbox

    relay_outbox()


def mark_unparsable(delivery: InboundDelivery, reason: str) -> None:
    """Flag a stored push an operator must look at; the raw bytes stay as received."""
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.UNPARSABLE, error=reason[:200]
    )
    logger.warning(
        "push unparsable kind=%s delivery=%s reason=%s",
        delivery.account.kind,
        delivery.pk,
        reason,
    )


def process_once[Parsed](
    delivery: InboundDelivery,
    parse: Callable[[str], Parsed],
    hand: Callable[[InboundDelivery, Parsed], str],
    unreadable: type[Exception],
) -> str:
    """Hand a stored push to the inbox once; return the reply owed for it.

    `parse` reads the stored payload and raises `unreadable` (the adapter's PayloadError)
    for one it cannot read; `hand` gives the locked row and the parsed push to the inbox
    and returns the automatic reply.
    """
    try:
        parsed = parse(delivery.payload)
    except unreadable as error:
        mark_unparsable(delivery, str(error))
        return ""

    began = time.perf_counter()
    if _urgent.get():
        reply = run_promptly(lambda: _hand_under_lock(delivery.pk, parsed, hand))
    else:
        reply = _hand_under_lock(delivery.pk, parsed, hand)
    # On SQLite this is how long the step held the one write lock a webhook also needs.
    held = (time.perf_counter() - began) * 1000
    logger.debug("inbox step delivery=%s transaction_ms=%.1f", delivery.pk, held)
    return reply


# Set while an emergency's inbox step runs: it asks for SQLite's write lock as promptly as
# a webhook's own write does, because a duty officer is waiting for the alert; the
# worker's ordinary steps wait politely.
_urgent: ContextVar[bool] = ContextVar("urgent", default=False)


@contextmanager
def urgent() -> Iterator[None]:
    """Mark the inbox steps run inside this block as an emergency's."""
    token = _urgent.set(True)
    try:
        yield
    finally:
        _urgent.reset(token)


def _hand_under_lock[Parsed](
    delivery_id: int, parsed: Parsed, hand: Callable[[InboundDelivery, Parsed], str]
) -> str:
    # The row lock makes a retry, the minute sweep and a concurrent duplicate wait here,
    # and then find the push handled and its reply stored.
    with transaction.atomic():
        locked = _lock_delivery(delivery_id)
        if locked.status != DeliveryStatus.RECEIVED:
            return locked.reply
        reply = hand(locked, parsed)
        _finish(locked, reply)
    return reply


def _lock_delivery(delivery_id: int) -> InboundDelivery:
    # The inbox step reads the account and its unit on every push; fetching them with the
    # locked row saves two queries, and `of` keeps PostgreSQL from locking them too.
    deliveries = InboundDelivery.objects.select_related("account__unit")
    return deliveries.select_for_update(of=("self",)).get(pk=delivery_id)


def _finish(delivery: InboundDelivery, reply: str) -> None:
    delivery.status = DeliveryStatus.PROCESSED
    delivery.reply = reply
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    delivery.save(update_fields=["status", "reply", "processed_at", "attempts"])
