"""A case's deadline, reminder and escalation, from the policy of its type and unit.

The deadline library (`inbox.deadlines`) counts working time; this module feeds it a
case and stores the results. Computing never stops a message from being received: a
calendar problem leaves the deadline empty and is logged for an operator.
"""

import functools
import logging
import time

from django.utils import timezone

from beatdesk.inbox.deadlines import (
    CalendarError,
    ExtensionRefused,
    InstalledFile,
    Pause,
    PolicyBook,
    due_at,
    escalation_at,
    extend,
    load_policy_book,
    reminder_at,
)
from beatdesk.inbox.models import Case, CasePause, HolidayNotice, Priority

logger = logging.getLogger(__name__)

SCHEDULE_FIELDS = [
    "deadline",
    "reminder_at",
    "escalation_at",
    "reminded_at",
    "escalated_at",
    "deadline_provisional",
]


# How long a process trusts the notices it read: a year installed by the command reaches
# every other process within this, and `recheck_provisional_deadlines` mends what it missed.
NOTICES_FRESH_SECONDS = 300
_notices: tuple[float, tuple[InstalledFile, ...]] | None = None


@functools.cache
def policy_book() -> PolicyBook:
    """Return the shipped policies, read once per process."""
    return load_policy_book()


def installed_notices() -> tuple[InstalledFile, ...]:
    """Return the holiday notices installed in the database, read at most every 5 minutes."""
    global _notices
    now = time.monotonic()
    if _notices is None or now - _notices[0] > NOTICES_FRESH_SECONDS:
        rows = HolidayNotice.objects.order_by("calendar", "year")
        _notices = (now, tuple(rows.values_list("calendar", "year", "source")))
    return _notices[1]


def forget_installed_notices() -> None:
    """Read the notices again at the next deadline; the import calls this after its change."""
    global _notices
    _notices = None


def schedule_deadline(case: Case) -> None:
    """Compute and save the case's deadline, reminder and escalation from scratch."""
    try:
        _compute(case)
    except CalendarError:
        logger.exception("deadline not computed case=%s", case.pk)
        case.deadline = case.reminder_at = case.escalation_at = None
    case.save(update_fields=SCHEDULE_FIELDS)


def _compute(case: Case) -> None:
    book = policy_book()
    unit = case.unit
    codes = [ancestor.code for ancestor in reversed(list(unit.ancestors()))]
    policy = book.policy_for(
        case.case_type,
        region_type=unit.region_type,
        unit_codes=codes,
        emergency=case.priority == Priority.EMERGENCY,
    )
    if policy is None:
        case.deadline = case.reminder_at = case.escalation_at = None
        case.deadline_provisional = False
        return
    if case.deadline_extended_to:
        # Checked against the type's own limit each time, so a type change cannot keep an
        # extension its new type does not allow.
        try:
            policy = extend(policy, case.deadline_extended_to, case.deadline_extension_reason)
        except ExtensionRefused:
            logger.warning("extension no longer allowed case=%s", case.pk)

    # A year without its holiday file counts weekends only and marks the deadline provisional.
    schedule = book.schedule_for(
        unit.time_zone,
        region_type=unit.region_type,
        unit_codes=codes,
        installed=installed_notices(),
        assume_weekends_for_missing_years=True,
    )
    # A case the resident reopened is a fresh turn: its clock starts at the reopening.
    start = case.reopened_at or case.opened_at
    pauses = [
        Pause(pause.started_at, pause.ended_at)
        for pause in case.pauses.filter(ended_at__isnull=False, started_at__gte=start)
        if pause.ended_at is not None
    ]
    deadline = due_at(start, policy, schedule, pauses=pauses)
    reminder = reminder_at(deadline, policy, schedule, start)
    escalation = escalation_at(deadline, policy, schedule)

    if deadline != case.deadline:
        # A new deadline earns a new reminder and escalation.
        case.reminded_at = case.escalated_at = None
    case.deadline, case.reminder_at, case.escalation_at = deadline, reminder, escalation
    case.deadline_provisional = bool(
        schedule.calendar.missing_years(start.date(), deadline.date())
    )


def start_pause(case: Case) -> None:
    """The case waits for the resident from now; the clock stands still."""
    if not case.pauses.filter(ended_at__isnull=True).exists():
        CasePause.objects.create(case=case, started_at=timezone.now())


def end_pause(case: Case) -> bool:
    """The resident answered (or the officer moved on); return whether a pause ended."""
    return bool(case.pauses.filter(ended_at__isnull=True).update(ended_at=timezone.now()))


def check_extension(case: Case, to_working_days: int, reason: str) -> None:
    """Raise ExtensionRefused unless the case's type allows this extension."""
    unit = case.unit
    codes = [ancestor.code for ancestor in reversed(list(unit.ancestors()))]
    policy = policy_book().policy_for(
        case.case_type, region_type=unit.region_type, unit_codes=codes
    )
    if policy is None:
        raise ExtensionRefused(f"a {case.case_type} case has no deadline to extend")
    extend(policy, to_working_days, reason)
