"""The inbox's background work: the minute sweep of deadlines and the duplicate search."""

import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from beatdesk.audit.actions import record
from beatdesk.channels.tasks import arrivals
from beatdesk.core.writelock import inbox_step
from beatdesk.inbox.calendars import recheck_provisional_deadlines, years_missing
from beatdesk.inbox.duplicates import propose_duplicates
from beatdesk.inbox.models import OPEN_STATUSES, Case, CaseStatus
from beatdesk.inbox.schedule import forget_installed_notices

logger = logging.getLogger(__name__)

BATCH = 200


def sweep_deadlines() -> tuple[int, int]:
    """Mark due reminders and escalations, each once; return how many of each.

    All comparisons are between aware UTC times, so a reminder due at 09:00 Beijing is
    taken by the sweep of 09:00 or 09:01 whatever the worker's own time zone.
    """
    now = timezone.now()
    live = Case.objects.filter(status__in=OPEN_STATUSES).exclude(status=CaseStatus.WAITING)
    reminded = _mark(
        live.filter(reminder_at__lte=now, reminded_at__isnull=True), "reminded_at", "case.reminded"
    )
    escalated = _mark(
        live.filter(escalation_at__lte=now, escalated_at__isnull=True),
        "escalated_at",
        "case.escalated",
    )
    return reminded, escalated


def _mark(due: QuerySet[Case], field: str, action: str) -> int:
    count = 0
    with transaction.atomic():
        # Two workers sweeping at once each take different rows, and each row once.
        for case in due.select_for_update(skip_locked=True).order_by("pk")[:BATCH]:
            setattr(case, field, timezone.now())
            case.save(update_fields=[field])
            record(action, case, unit=case.unit)
            count += 1
    return count


@db_task()  # type: ignore[untyped-decorator]
def look_for_duplicates(case_id: int, message_id: int) -> None:
    """Propose the open cases a new message's case may duplicate (queued after its step)."""
    # One at a time with the inbox steps, and resting after as they do in a burst.
    with inbox_step(arrivals):
        propose_duplicates(case_id, message_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def deadlines() -> None:
    """Every minute: reminders before cases are due, escalations after."""
    reminded, escalated = sweep_deadlines()
    if reminded or escalated:
        logger.info("deadlines reminded=%s escalated=%s", reminded, escalated)


@db_periodic_task(crontab(hour="18", minute="5"))  # type: ignore[untyped-decorator]
def nightly_calendar_check() -> None:
    """At 02:05 Beijing: settle deadlines a new notice reaches, and warn while one is missing.

    Another process may have installed the notice; this catches the cases counted in the
    minutes before this process read it.
    """
    forget_installed_notices()
    settled = recheck_provisional_deadlines()
    missing = years_missing()
    if missing:
        logger.warning("deadlines.calendar_years_missing years=%s settled=%s", missing, settled)
