"""Deadlines of cases in working time, with no Django in it.

    book = load_policy_book()                                   # data/policies.toml
    policy = book.policy_for("complaint", region_type="urban", unit_codes=["S1", "C1"])
    schedule = book.schedule_for("Asia/Shanghai", region_type="urban", unit_codes=["S1", "C1"])
    deadline = due_at(received_at, policy, schedule, pauses=[Pause(waiting_from, answered_at)])
    remind = reminder_at(deadline, policy, schedule, received_at)
    escalate = escalation_at(deadline, policy, schedule)
    longer = extend(policy, 15, "waiting for the traffic police's report")

Holidays and make-up working days are data, one file per year's State Council notice
(`data/cn-<year>.tsv`); a year without a file is refused (`CalendarYearMissing`). All times
are aware and returned in UTC; wall-clock hours are read in the unit's time zone.
See README.md in this folder for the data formats and the yearly update.
"""

from beatdesk.inbox.deadlines.clock import (
    DEFAULT_WORKING_HOURS,
    ROUND_THE_CLOCK,
    Clock,
    NoWorkingTime,
    Schedule,
    WorkingHours,
)
from beatdesk.inbox.deadlines.deadlines import (
    Pause,
    clock_for,
    due_at,
    escalation_at,
    is_due,
    is_overdue,
    reminder_at,
)
from beatdesk.inbox.deadlines.policies import (
    POLICY_PATH,
    ExtensionRefused,
    Policy,
    PolicyBook,
    PolicyDataError,
    extend,
    load_policy_book,
    parse_policy_book,
)
from beatdesk.inbox.deadlines.rates import CaseOutcome, OnTimeRate, compute_on_time_rate
from beatdesk.inbox.deadlines.workdays import (
    DATA_DIRECTORY,
    FILE_NAME,
    CalendarDataError,
    CalendarError,
    CalendarYearMissing,
    DayKind,
    HolidayCalendar,
    InstalledFile,
    SpecialDay,
    load_calendar,
    load_shipped_calendar,
    missing_calendar_years,
    parse_calendar_text,
)

__all__ = [
    "DATA_DIRECTORY",
    "DEFAULT_WORKING_HOURS",
    "FILE_NAME",
    "POLICY_PATH",
    "ROUND_THE_CLOCK",
    "CalendarDataError",
    "CalendarError",
    "CalendarYearMissing",
    "CaseOutcome",
    "Clock",
    "DayKind",
    "ExtensionRefused",
    "HolidayCalendar",
    "InstalledFile",
    "NoWorkingTime",
    "OnTimeRate",
    "Pause",
    "Policy",
    "PolicyBook",
    "PolicyDataError",
    "Schedule",
    "SpecialDay",
    "WorkingHours",
    "clock_for",
    "compute_on_time_rate",
    "due_at",
    "escalation_at",
    "extend",
    "is_due",
    "is_overdue",
    "load_calendar",
    "load_policy_book",
    "load_shipped_calendar",
    "missing_calendar_years",
    "parse_calendar_text",
    "parse_policy_book",
    "reminder_at",
]
