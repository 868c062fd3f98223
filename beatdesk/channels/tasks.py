"""Background work. Huey only wakes workers: the durable record is always a database row."""

import logging
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from beatdesk.channels import outbox
from beatdesk.channels.deliveries import urgent
from beatdesk.channels.models import DeliveryStatus, InboundDelivery, WebhookNonce
from beatdesk.channels.registry import UnknownChannel, adapter_for
from beatdesk.core import ratelimit
from beatdesk.core.writelock import Arrivals, inbox_step

logger = logging.getLogger(__name__)

# A push still `received` after this long lost its request half-way; the sweep finishes it.
STALE_DELIVERY = timedelta(seconds=30)
# After this many failed tries a delivery is left for an operator instead of retried.
MAX_PROCESSING_ATTEMPTS = 5
NONCE_RETENTION = timedelta(hours=1)
# Higher runs first: an emergency's step goes ahead of every ordinary push waiting.
URGENT_PRIORITY = 100


def newest_delivery_id() -> int:
    """Return the id of the newest stored push: it grows by one for each push that arrives."""
    newest = InboundDelivery.objects.order_by("-pk").values_list("pk", flat=True).first()
    return newest or 0


# How fast pushes are arriving, read after each step; the worker rests longer in a burst.
arrivals = Arrivals(newest_delivery_id)


@db_task()  # type: ignore[untyped-decorator]
def relay_outbox() -> int:
    """Send what is due in the outbox now (woken after an answer is committed)."""
    return outbox.relay_due()


@db_task()  # type: ignore[untyped-decorator]
def process_pushed_delivery(delivery_id: int) -> None:
    """Run the inbox step of a push its webhook stored and acknowledged."""
    with inbox_step(arrivals):
        _process_pushed(delivery_id)


@db_task(priority=URGENT_PRIORITY)  # type: ignore[untyped-decorator]
def process_urgent_delivery(delivery_id: int) -> None:
    """Run the inbox step of a push the emergency rules flagged, ahead of the queue.

    It does not wait for the worker's turn between steps nor rest after it: another
    thread may be resting, and the duty officer's alert must not wait behind a burst.
    """
    process_urgent_now(delivery_id)


def process_urgent_now(delivery_id: int) -> None:
    """Run an emergency's inbox step in this process, at once (when the queue refused it)."""
    with urgent():
        _process_pushed(delivery_id)


def _process_pushed(delivery_id: int) -> None:
    delivery = (
        InboundDelivery.objects.select_related("account")
        .filter(pk=delivery_id, status=DeliveryStatus.RECEIVED)
        .first()
    )
    # None when already handled: by the sweep, or by an earlier run of this very task.
    if delivery is not None:
        _process(delivery)


def process_waiting_deliveries() -> int:
    """Hand every stored push still waiting to the inbox now, as a worker would.

    For a process that must see its pushes handled before it goes on and has no worker
    (the demo replay); a worker running at the same time waits on the same row locks.
    """
    return process_stale_deliveries(older_than=timedelta(0))


def process_stale_deliveries(older_than: timedelta = STALE_DELIVERY) -> int:
    """Hand to the inbox every stored push whose request died before doing so."""
    cutoff = timezone.now() - older_than
    stale = InboundDelivery.objects.filter(status=DeliveryStatus.RECEIVED, received_at__lte=cutoff)
    count = 0
    for delivery in stale.select_related("account").order_by("received_at")[:200]:
        with inbox_step(arrivals):
            count += _process(delivery)
    return count


def _process(delivery: InboundDelivery) -> bool:
    """Hand one push to its adapter; return whether that went through."""
    # A push that fails stays `received`, so the minute sweep tries it again; and one that
    # cannot be processed must not hold back everyone after it.
    try:
        adapter_for(delivery.account.kind).process_delivery(delivery)
    except UnknownChannel:
        logger.error("no adapter for delivery=%s", delivery.pk)
    except Exception as error:
        _note_failed_attempt(delivery, error)
    else:
        return True
    return False


def _note_failed_attempt(delivery: InboundDelivery, error: Exception) -> None:
    attempts = delivery.attempts + 1
    status = DeliveryStatus.RECEIVED
    if attempts >= MAX_PROCESSING_ATTEMPTS:
        status = DeliveryStatus.UNPARSABLE
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, status=status, error=type(error).__name__
    )
    logger.error(
        "delivery processing failed delivery=%s attempts=%s", delivery.pk, attempts, exc_info=error
    )


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def sweep() -> None:
    """Every minute: finish stale pushes, send due and abandoned outbox rows, prune nonces."""
    processed = process_stale_deliveries()
    try:
        sent = outbox.relay_due()
    except Exception:
        # The next minute's sweep tries again; the rows themselves are durable.
        logger.exception("outbox relay failed during the sweep")
        sent = 0
    WebhookNonce.objects.filter(seen_at__lt=timezone.now() - NONCE_RETENTION).delete()
    ratelimit.prune()
    if processed or sent:
        logger.info("sweep processed=%s relayed=%s", processed, sent)
