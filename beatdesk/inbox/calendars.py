"""Holiday notices installed after release, and the deadlines that were waiting for them.

Beatdesk ships the notices it had (`inbox/deadlines/data`); each autumn the State Council
publishes the next year's. Until that year is installed, deadlines reaching it count
weekends only and are marked provisional; installing it recomputes them.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from beatdesk.audit.actions import record
from beatdesk.inbox.deadlines import (
    FILE_NAME,
    CalendarDataError,
    missing_calendar_years,
    parse_calendar_text,
)
from beatdesk.inbox.models import OPEN_STATUSES, Case, HolidayNotice
from beatdesk.inbox.schedule import (
    forget_installed_notices,
    installed_notices,
    policy_book,
    schedule_deadline,
)

logger = logging.getLogger(__name__)

# Larger than any notice (a few dozen rows); anything bigger is not one.
NOTICE_MAX_CHARACTERS = 20_000


class NoticeRefused(Exception):
    """The notice cannot be installed; nothing was changed."""


@dataclass(frozen=True)
class Installed:
    notice: HolidayNotice
    replaced: bool
    special_days: int


def do_install_holiday_notice(file_name: str, text: str, *, replace: bool = False) -> Installed:
    """Check a notice's file and install it; refuse a year already installed unless replacing.

    The file is checked exactly as a shipped one is, so a typo (a weekday make-up day, a
    date far from the notice's year, a day listed twice) stops the import.
    """
    match = FILE_NAME.match(file_name)
    if match is None:
        raise NoticeRefused(f"{file_name}: name the file <calendar>-<year>.tsv, e.g. cn-2027.tsv")
    if len(text) > NOTICE_MAX_CHARACTERS:
        raise NoticeRefused(f"{file_name}: too long for a holiday notice")
    try:
        days = parse_calendar_text(file_name, text)
    except CalendarDataError as error:
        raise NoticeRefused(str(error)) from None

    calendar, year = match["calendar"], int(match["year"])
    with transaction.atomic():
        notice = (
            HolidayNotice.objects.select_for_update().filter(calendar=calendar, year=year).first()
        )
        replaced = notice is not None
        if replaced and not replace:
            raise NoticeRefused(f"{file_name}: {year} is already installed; use --replace")
        notice = notice or HolidayNotice(calendar=calendar, year=year)
        notice.source = text
        notice.save()
        record(
            "calendar.installed",
            notice,
            calendar=calendar,
            year=year,
            special_days=len(days),
            replaced=replaced,
        )
    forget_installed_notices()
    logger.info("holiday notice installed calendar=%s year=%s days=%s", calendar, year, len(days))
    return Installed(notice, replaced=replaced, special_days=len(days))


def recheck_provisional_deadlines() -> int:
    """Compute again the deadlines of open cases counted without a notice; return how many
    are now final.

    A deadline stays provisional while one of its years is still missing, so running this
    again changes only the cases a newly installed year reaches.
    """
    waiting = Case.objects.filter(status__in=OPEN_STATUSES, deadline_provisional=True)
    settled = 0
    for case in waiting.select_related("unit").order_by("pk").iterator(chunk_size=200):
        with transaction.atomic():
            schedule_deadline(case)
        settled += not case.deadline_provisional
    return settled


def years_missing(today: date | None = None) -> list[int]:
    """Return the years a deadline counted from today may reach with no national notice."""
    schedule = policy_book().schedule_for(
        "Asia/Shanghai", installed=installed_notices(), assume_weekends_for_missing_years=True
    )
    return missing_calendar_years(schedule.calendar, today or timezone.localdate())
