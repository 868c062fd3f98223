"""The outbox: enqueue in the deciding transaction, relay with claims and bounded backoff.

A worker claims a row by moving it to `sending` with a claim that expires. If the worker
dies mid-send, the sweep finds the expired claim and sends again: the only window where a
resident could get a message twice is after the channel accepted it and before we wrote
that down, and that window is counted by the trust harness.
"""

import logging
import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    ChannelContact,
    DeliveryAttempt,
    ErrorKind,
    OutboxMessage,
    OutboxStatus,
    StaffBinding,
)
from beatdesk.channels.registry import SendResult, adapter_for

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 120
MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 15
MAX_BACKOFF_SECONDS = 3600
# The kind of a row that publishes on the account's own page rather than answering someone.
POST_KIND = "post"
# A staff alert (an emergency, through an officer's own WeChat or QQ), not a conversation's.
ALERT_KIND = "alert"


def enqueue(
    account: Account,
    recipient: str,
    text: str,
    idempotency_key: str,
    extra: dict[str, str] | None = None,
    kind: str = "text",
) -> OutboxMessage:
    """Write a message to the outbox; call inside the transaction that decides to send.

    `extra` holds what the channel's adapter needs beside the text (which message a
    passive reply names, the pieces of an alert's template), kept in the row's payload.
    `kind` is "text" for a conversation's message and "alert" for a staff alert.
    """
    message, _created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "account": account,
            "recipient": recipient,
            "kind": kind,
            "payload": (extra or {}) | {"text": text},
            "next_attempt_at": timezone.now(),
        },
    )
    return message


def enqueue_post(
    account: Account,
    text: str,
    idempotency_key: str,
    extra: dict[str, str] | None = None,
    *,
    by_hand: bool = False,
) -> tuple[OutboxMessage, bool]:
    """Write a post for the account's public page; return it and whether it is new.

    A post has no recipient. One `by_hand` waits for a person to publish it and record its
    link; the relay never picks it up. Call inside the transaction that decides to post.
    """
    return OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "account": account,
            "recipient": "",
            "kind": POST_KIND,
            "payload": (extra or {}) | {"text": text},
            "status": OutboxStatus.MANUAL if by_hand else OutboxStatus.PENDING,
            "next_attempt_at": timezone.now(),
        },
    )


def backoff_delay(attempts: int) -> timedelta:
    """Return the wait before the next try: exponential, capped, with full jitter."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _claim(message_id: int, now: datetime) -> OutboxMessage | None:
    """Move one due row to `sending` under a row lock; None if another worker has it."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .select_related("account")
            .filter(pk=message_id)
            .first()
        )
        if message is None or not _is_due(message, now):
            return None
        message.status = OutboxStatus.SENDING
        message.claimed_until = now + timedelta(seconds=CLAIM_SECONDS)
        message.attempts += 1
        message.save(update_fields=["status", "claimed_until", "attempts"])
        return message


def _is_due(message: OutboxMessage, now: datetime) -> bool:
    if message.status == OutboxStatus.PENDING:
        return message.next_attempt_at <= now
    expired = message.claimed_until is not None and message.claimed_until <= now
    return message.status == OutboxStatus.SENDING and expired


def _record_outcome(
    message: OutboxMessage, result: SendResult, started: datetime, now: datetime
) -> None:
    """Write the attempt and move the row to its next status, in one transaction."""
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            outbox=message,
            started_at=started,
            finished_at=now,
            outcome=result.outcome,
            error_code=result.error_code,
            detail=result.detail[:200],
        )
        _apply_outcome(message, result, now)
        message.claimed_until = None
        message.save()


def _apply_outcome(message: OutboxMessage, result: SendResult, now: datetime) -> None:
    message.last_error_code = result.error_code
    if result.outcome == AttemptOutcome.SENT:
        message.status, message.sent_at, message.last_error_kind = OutboxStatus.SENT, now, ""
        message.external_id, message.external_url = result.external_id, result.external_url
        _note_alert(message, "")
    elif result.outcome == AttemptOutcome.MANUAL:
        # Not a failure: the channel refuses this kind of send, and a person takes over.
        message.status, message.last_error_kind = OutboxStatus.MANUAL, ErrorKind.PERMANENT
    elif result.outcome == AttemptOutcome.WINDOW:
        message.status, message.last_error_kind = OutboxStatus.HELD, ErrorKind.WINDOW
    elif result.outcome == AttemptOutcome.PERMANENT or message.attempts >= MAX_ATTEMPTS:
        message.status, message.last_error_kind = OutboxStatus.FAILED, ErrorKind.PERMANENT
        _note_alert(message, result.error_code or "unknown")
        # An officer who stopped following the account is their binding's problem; the
        # account itself is fine and keeps serving residents.
        if not result.about_recipient:
            _flag_account(message.account, result.error_code)
    else:
        message.status, message.last_error_kind = OutboxStatus.PENDING, ErrorKind.TEMPORARY
        message.next_attempt_at = now + backoff_delay(message.attempts)


def _flag_account(account: Account, error_code: str) -> None:
    Account.objects.filter(pk=account.pk).update(needs_attention=f"send-failed:{error_code}"[:64])
    logger.warning("account flagged account=%s error_code=%s", account.code, error_code)


def _note_alert(message: OutboxMessage, error_code: str) -> None:
    """Flag the binding of an alert that failed for good; clear it when one gets through."""
    binding_id = str(message.payload.get("binding", ""))
    if message.kind != ALERT_KIND or not binding_id.isdigit():
        return
    flag = f"alert-failed:{error_code}"[:64] if error_code else ""
    StaffBinding.objects.filter(pk=int(binding_id)).update(needs_attention=flag)
    if error_code:
        logger.warning("binding flagged binding=%s error_code=%s", binding_id, error_code)


def deliver(message: OutboxMessage, now: datetime | None = None) -> OutboxMessage:
    """Send one claimed row through its channel, or hold it if the window is closed."""
    started = now or timezone.now()
    adapter = adapter_for(message.account.kind)
    if adapter.window_allows(message, started):
        result = adapter.send(message)
    else:
        result = SendResult(AttemptOutcome.WINDOW, "window", "held before sending")

    _record_outcome(message, result, started, timezone.now())
    logger.info(
        "outbox attempt id=%s outcome=%s code=%s", message.pk, result.outcome, result.error_code
    )
    return message


def due_ids(now: datetime, limit: int = 100) -> list[int]:
    """Return ids of rows due now: pending and due, or sending with an expired claim."""
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    abandoned = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_until__lte=now)
    ids = list(pending.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    ids += list(abandoned.values_list("pk", flat=True)[:limit])
    return ids


def relay_due(now: datetime | None = None, limit: int = 100) -> int:
    """Claim and send every due row; return how many were attempted."""
    moment = now or timezone.now()
    attempted = 0
    for message_id in due_ids(moment, limit):
        # A batch against a slow channel takes minutes, so each claim runs from when it is
        # taken: counted from the batch's start it could expire before its row is sent, and
        # a second worker would send that row again.
        claimed_at = max(moment, timezone.now())
        message = _claim(message_id, claimed_at)
        if message is not None:
            deliver(message, claimed_at)
            attempted += 1
    return attempted


def relay_all_due(most_batches: int = 1000) -> int:
    """Send every due row, batch after batch, until none is due; return how many were tried.

    For a process that has no worker beside it (the demo). A row that fails is put off by
    its backoff, so it is not due again in the same loop, and the loop ends.
    """
    attempted = 0
    for _ in range(most_batches):
        batch = relay_due()
        if not batch:
            break
        attempted += batch
    return attempted


def release_held(account: Account, recipient: str) -> int:
    """Make held rows for a resident due again, because they just reopened the window."""
    return OutboxMessage.objects.filter(
        account=account, recipient=recipient, status=OutboxStatus.HELD
    ).update(status=OutboxStatus.PENDING, next_attempt_at=timezone.now())


def reopen_window(account: Account, recipient: str, at: datetime) -> None:
    """Note that a resident just wrote: their window starts again and held rows are due."""
    window = {"last_inbound_at": at, "sent_since_inbound": 0}
    # Most residents have written before: one UPDATE finds them, without update_or_create's
    # read and savepoints. A first message creates the row.
    contacts = ChannelContact.objects.filter(account=account, external_id=recipient)
    if not contacts.update(**window):
        ChannelContact.objects.update_or_create(
            account=account, external_id=recipient, defaults=window
        )
    release_held(account, recipient)


def count_sent(message: OutboxMessage) -> None:
    """Count one more message sent to the resident since they last wrote."""
    ChannelContact.objects.filter(account=message.account, external_id=message.recipient).update(
        sent_since_inbound=F("sent_since_inbound") + 1
    )
