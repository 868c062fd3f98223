"""Cases are due in working time, holidays and make-up working days come from data, and
the on-time rate cannot hide a backlog."""

import logging
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from beatdesk.inbox.deadlines import (
    DATA_DIRECTORY,
    DEFAULT_WORKING_HOURS,
    CalendarDataError,
    CalendarYearMissing,
    CaseOutcome,
    ExtensionRefused,
    Pause,
    Policy,
    PolicyDataError,
    Schedule,
    compute_on_time_rate,
    due_at,
    escalation_at,
    extend,
    is_due,
    is_overdue,
    load_calendar,
    load_policy_book,
    load_shipped_calendar,
    missing_calendar_years,
    parse_policy_book,
    reminder_at,
)
from beatdesk.inbox.models import CaseType
from beatdesk.units.models import RegionType

BEIJING = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 12, 4)


def beijing(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)


def working_days(days: int) -> Policy:
    return Policy(case_type="complaint", working_days=days, extension_limit_days=15)


@pytest.fixture
def station() -> Schedule:
    """A station in Beijing time with the shipped national calendar and default hours."""
    return Schedule(load_shipped_calendar(), DEFAULT_WORKING_HOURS, BEIJING)


@pytest.fixture
def process_time_zone() -> Iterator[None]:
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def write_calendar(directory: Path, name: str, rows: str) -> None:
    header = "# source: a test notice\n"
    (directory / name).write_text(header + rows, encoding="utf-8")


# H5: make-up working days are working days, as the 2019 notice and its change say.


def test_it_marks_the_2019_labour_day_make_up_sundays_as_working_days() -> None:
    calendar = load_shipped_calendar()

    assert calendar.is_working_day(date(2019, 4, 28))
    assert calendar.is_working_day(date(2019, 5, 5))


def test_it_marks_the_2019_labour_day_break_as_rest_days() -> None:
    calendar = load_shipped_calendar()

    for day in range(1, 5):
        assert not calendar.is_working_day(date(2019, 5, day))


def test_it_counts_a_saturday_report_from_the_make_up_sunday(station: Schedule) -> None:
    deadline = due_at(beijing(2019, 4, 27, 10, 0), working_days(2), station)

    assert deadline == beijing(2019, 4, 29, 17, 30)


def test_it_counts_an_after_hours_report_across_the_break_to_the_make_up_sunday(
    station: Schedule,
) -> None:
    deadline = due_at(beijing(2019, 4, 30, 19, 0), working_days(1), station)

    assert deadline == beijing(2019, 5, 5, 17, 30)


# The same check on the current year's make-up days (notice of 2025-11-04).

MAKE_UP_DAYS_2026 = ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]
HOLIDAYS_2026 = [
    ("01-01", "01-03"),
    ("02-15", "02-23"),
    ("04-04", "04-06"),
    ("05-01", "05-05"),
    ("06-19", "06-21"),
    ("09-25", "09-27"),
    ("10-01", "10-07"),
]


@pytest.mark.parametrize("day", MAKE_UP_DAYS_2026)
def test_it_marks_each_2026_make_up_weekend_day_as_a_working_day(day: str) -> None:
    make_up_day = date.fromisoformat(f"2026-{day}")

    assert make_up_day.weekday() >= 5
    assert load_shipped_calendar().is_working_day(make_up_day)


@pytest.mark.parametrize(("first", "last"), HOLIDAYS_2026)
def test_it_marks_each_2026_holiday_as_rest_days(first: str, last: str) -> None:
    day, end = date.fromisoformat(f"2026-{first}"), date.fromisoformat(f"2026-{last}")
    calendar = load_shipped_calendar()

    while day <= end:
        assert not calendar.is_working_day(day), day
        day += timedelta(days=1)


def test_it_counts_2026_deadlines_through_the_make_up_days(station: Schedule) -> None:
    # Friday after hours: the make-up Saturday before the Spring Festival is the next day.
    assert due_at(beijing(2026, 2, 13, 18), working_days(1), station) == beijing(
        2026, 2, 14, 17, 30
    )
    # That Saturday after hours: nine days of holiday, then Tuesday.
    assert due_at(beijing(2026, 2, 14, 18), working_days(1), station) == beijing(
        2026, 2, 24, 17, 30
    )
    # A Saturday report before National Day: the make-up Sunday, then Monday.
    assert due_at(beijing(2026, 9, 19, 10), working_days(2), station) == beijing(
        2026, 9, 21, 17, 30
    )


def test_the_shipped_calendar_covers_every_year_from_2019_to_2026() -> None:
    calendar = load_shipped_calendar()

    assert sorted(calendar.years) == list(range(2019, 2027))


# A year without a notice is refused, not guessed.


def test_it_refuses_a_deadline_that_runs_into_a_year_without_a_calendar(
    station: Schedule,
) -> None:
    with pytest.raises(CalendarYearMissing, match="2027") as refusal:
        due_at(beijing(2026, 12, 28, 10), working_days(7), station)

    assert refusal.value.year == 2027
    assert "cn-2027.tsv" in str(refusal.value)


def test_it_reports_the_next_year_missing_in_december() -> None:
    assert missing_calendar_years(load_shipped_calendar(), TODAY) == [2027]
    assert missing_calendar_years(load_shipped_calendar(), date(2026, 6, 1)) == []


def test_it_assumes_weekends_for_a_missing_year_only_when_asked_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = load_calendar(assume_weekends_for_missing_years=True)
    schedule = Schedule(calendar, DEFAULT_WORKING_HOURS, BEIJING)

    with caplog.at_level(logging.WARNING):
        deadline = due_at(beijing(2026, 12, 31, 10), working_days(2), schedule)

    assert deadline == beijing(2027, 1, 4, 10)
    assert "calendar_year_missing" in caplog.text
    assert "year=2027" in caplog.text
    assert calendar.missing_years(date(2026, 12, 31), deadline.date()) == [2027]


# H6: 09:00 Beijing is 01:00 UTC whatever the process's own time zone.


@pytest.mark.usefixtures("process_time_zone")
@pytest.mark.parametrize("process_zone", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_it_puts_a_9_am_beijing_deadline_at_1_am_utc_in_any_process_time_zone(
    process_zone: str, station: Schedule
) -> None:
    os.environ["TZ"] = process_zone
    time.tzset()
    # Friday 2025-02-28 09:00 Beijing, given as New York wall time: 2025-02-27 20:00 EST.
    received = datetime(2025, 2, 27, 20, 0, tzinfo=NEW_YORK)

    deadline = due_at(received, working_days(1), station)

    assert deadline == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    assert deadline.tzinfo is UTC
    assert deadline.astimezone(BEIJING).isoformat() == "2025-03-03T09:00:00+08:00"


@pytest.mark.usefixtures("process_time_zone")
@pytest.mark.parametrize("process_zone", ["UTC", "America/New_York"])
def test_it_makes_a_9_am_beijing_reminder_due_by_9_01_and_not_before_9(
    process_zone: str, station: Schedule
) -> None:
    os.environ["TZ"] = process_zone
    time.tzset()
    received = beijing(2025, 2, 28, 11, 0)
    deadline = due_at(received, working_days(1), station)

    reminder = reminder_at(deadline, working_days(1), station, received)

    assert deadline == beijing(2025, 3, 3, 11, 0)
    assert reminder == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    assert not is_due(beijing(2025, 3, 3, 8, 59, 59), reminder)
    assert is_due(datetime(2025, 3, 2, 20, 0, 30, tzinfo=NEW_YORK), reminder)


def test_it_refuses_naive_datetimes(station: Schedule) -> None:
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2026, 3, 2, 9, 0), working_days(1), station)


# Working hours: after hours counts from the next opening.


def test_it_gives_a_consultation_until_the_close_of_the_same_working_day(
    station: Schedule,
) -> None:
    assert due_at(beijing(2026, 3, 2, 9, 15), working_days(0), station) == beijing(
        2026, 3, 2, 17, 30
    )


def test_it_gives_an_after_hours_consultation_until_the_close_of_the_next_working_day(
    station: Schedule,
) -> None:
    assert due_at(beijing(2026, 3, 2, 17, 30), working_days(0), station) == beijing(
        2026, 3, 3, 17, 30
    )
    assert due_at(beijing(2026, 3, 6, 20, 0), working_days(0), station) == beijing(
        2026, 3, 9, 17, 30
    )


def test_it_counts_a_lunchtime_message_from_the_afternoon_opening(station: Schedule) -> None:
    # From 13:30, 4 working hours are left on Monday and 3.5 more run into Tuesday.
    assert due_at(beijing(2026, 3, 2, 12, 30), working_days(1), station) == beijing(
        2026, 3, 3, 12, 0
    )


def test_it_counts_a_message_during_hours_from_its_own_minute(station: Schedule) -> None:
    assert due_at(beijing(2026, 3, 2, 10, 0), working_days(7), station) == beijing(
        2026, 3, 11, 10, 0
    )


# Waiting for the resident stops the clock.


def test_it_pushes_the_deadline_by_the_working_time_spent_waiting(station: Schedule) -> None:
    received = beijing(2026, 3, 2, 9, 30)
    waiting = Pause(beijing(2026, 3, 3, 10, 0), beijing(2026, 3, 5, 10, 0))

    assert due_at(received, working_days(7), station) == beijing(2026, 3, 11, 9, 30)
    assert due_at(received, working_days(7), station, [waiting]) == beijing(2026, 3, 13, 9, 30)


def test_it_counts_only_working_hours_of_a_wait_over_a_weekend(station: Schedule) -> None:
    received = beijing(2026, 3, 2, 9, 30)
    # Friday 17:00 to Monday 09:00: half an hour on Friday and half an hour on Monday.
    waiting = Pause(beijing(2026, 3, 6, 17, 0), beijing(2026, 3, 9, 9, 0))

    assert due_at(received, working_days(7), station, [waiting]) == beijing(2026, 3, 11, 10, 30)


def test_it_merges_overlapping_waits(station: Schedule) -> None:
    received = beijing(2026, 3, 2, 9, 30)
    waits = [
        Pause(beijing(2026, 3, 3, 10, 0), beijing(2026, 3, 4, 10, 0)),
        Pause(beijing(2026, 3, 4, 9, 0), beijing(2026, 3, 5, 10, 0)),
    ]

    assert due_at(received, working_days(7), station, waits) == beijing(2026, 3, 13, 9, 30)


def test_it_does_not_rescue_an_overdue_case_by_setting_it_to_waiting(
    station: Schedule,
) -> None:
    received = beijing(2026, 3, 2, 9, 30)
    late_wait = Pause(beijing(2026, 3, 12, 9, 0), beijing(2026, 3, 20, 9, 0))

    assert due_at(received, working_days(7), station, [late_wait]) == beijing(2026, 3, 11, 9, 30)


def test_it_refuses_a_wait_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Pause(beijing(2026, 3, 3, 10, 0), beijing(2026, 3, 2, 10, 0))


# Extensions need a reason and stay within the policy's limit.


def test_it_extends_a_complaint_to_15_working_days_with_a_reason(station: Schedule) -> None:
    complaint = load_policy_book().policy_for("complaint")
    assert complaint is not None

    extended = extend(complaint, 15, "waiting for the traffic police's video")

    assert extended.working_days == 15
    received = beijing(2026, 3, 2, 10, 0)
    assert due_at(received, extended, station) == beijing(2026, 3, 23, 10, 0)


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (16, "need more time", "at most 15"),
        (10, "   ", "needs a reason"),
        (7, "need more time", "more than 7"),
    ],
)
def test_it_refuses_an_extension_beyond_the_rules(days: int, reason: str, message: str) -> None:
    complaint = load_policy_book().policy_for("complaint")
    assert complaint is not None

    with pytest.raises(ExtensionRefused, match=message):
        extend(complaint, days, reason)


def test_it_refuses_to_extend_a_consultation() -> None:
    consultation = load_policy_book().policy_for("consultation")
    assert consultation is not None

    with pytest.raises(ExtensionRefused, match="cannot be extended"):
        extend(consultation, 3, "a long question")


# Reminders and escalation.


def test_it_reminds_two_working_hours_before_the_deadline_skipping_night_and_lunch(
    station: Schedule,
) -> None:
    received = beijing(2026, 3, 2, 10, 0)
    policy = working_days(1)
    deadline = due_at(received, policy, station)

    # Before 10:00 Tuesday: an hour and a half on Tuesday morning, half an hour on Monday.
    assert deadline == beijing(2026, 3, 3, 10, 0)
    assert reminder_at(deadline, policy, station, received) == beijing(2026, 3, 2, 17, 0)
    # Before 14:00 Tuesday: half an hour after lunch, an hour and a half before it.
    afternoon = beijing(2026, 3, 3, 14, 0)
    assert reminder_at(afternoon, policy, station, received) == beijing(2026, 3, 3, 10, 30)


def test_it_sends_no_reminder_when_the_whole_allowance_is_shorter(station: Schedule) -> None:
    received = beijing(2026, 3, 2, 16, 0)
    deadline = due_at(received, working_days(0), station)

    assert reminder_at(deadline, working_days(0), station, received) is None


def test_it_escalates_to_the_leader_once_the_deadline_has_passed(station: Schedule) -> None:
    received = beijing(2026, 3, 2, 10, 0)
    deadline = due_at(received, working_days(1), station)
    escalation = escalation_at(deadline, working_days(1), station)

    assert escalation == deadline
    assert not is_overdue(deadline, deadline)
    assert is_overdue(deadline + timedelta(seconds=1), deadline)


def test_it_escalates_after_a_grace_in_working_time(station: Schedule) -> None:
    policy = replace(working_days(1), escalate_after=timedelta(hours=1))
    deadline = beijing(2026, 3, 2, 17, 30)

    assert escalation_at(deadline, policy, station) == beijing(2026, 3, 3, 9, 30)


def test_it_counts_an_emergency_in_calendar_hours_through_the_night(station: Schedule) -> None:
    emergency = load_policy_book().policy_for("dispute", emergency=True)
    assert emergency is not None
    received = beijing(2026, 2, 16, 23, 0)  # New Year's Eve, a rest day, at night.

    deadline = due_at(received, emergency, station)

    assert deadline == beijing(2026, 2, 17, 1, 0)
    assert reminder_at(deadline, emergency, station, received) == beijing(2026, 2, 17, 0, 30)


# The on-time rate counts a rotting backlog as late.


def test_it_counts_a_rotting_backlog_against_the_on_time_rate() -> None:
    now = beijing(2026, 12, 4, 12, 0)
    deadline = beijing(2026, 11, 20, 17, 30)
    closed_on_time = [CaseOutcome(deadline, beijing(2026, 11, 19, 10, 0))] * 2
    backlog = [CaseOutcome(deadline)] * 8

    rate = compute_on_time_rate(closed_on_time + backlog, now)

    assert (rate.on_time, rate.open_overdue, rate.counted) == (2, 8, 10)
    assert rate.rate == pytest.approx(0.2)


def test_it_leaves_open_cases_within_their_deadline_and_untracked_cases_out() -> None:
    now = beijing(2026, 12, 4, 12, 0)
    outcomes = [
        CaseOutcome(beijing(2026, 12, 1, 17, 30), beijing(2026, 12, 1, 17, 30)),
        CaseOutcome(beijing(2026, 12, 1, 17, 30), beijing(2026, 12, 2, 9, 0)),
        CaseOutcome(beijing(2026, 12, 8, 17, 30)),
        CaseOutcome(None, beijing(2026, 12, 2, 9, 0)),
    ]

    rate = compute_on_time_rate(outcomes, now)

    assert (rate.on_time, rate.closed_late, rate.open_overdue) == (1, 1, 0)
    assert rate.rate == pytest.approx(0.5)


def test_it_reports_no_rate_rather_than_100_percent_when_nothing_is_counted() -> None:
    now = beijing(2026, 12, 4, 12, 0)

    assert compute_on_time_rate([CaseOutcome(beijing(2026, 12, 8, 17, 30))], now).rate is None


# Policies: the shipped book, and the layering by region type and unit.


def test_the_shipped_policies_match_the_issue() -> None:
    book = load_policy_book()

    consultation, complaint = book.policy_for("consultation"), book.policy_for("complaint")

    assert consultation is not None and consultation.working_days == 0
    assert complaint is not None and complaint.working_days == 7
    assert complaint.extension_limit_days == 15
    assert book.policy_for("spam") is None


def test_the_shipped_policies_name_only_real_case_and_region_types() -> None:
    book = load_policy_book()

    assert book.case_types <= {*CaseType.values, "emergency"}
    assert book.region_types <= set(RegionType.values)
    for case_type in CaseType.values:
        book.policy_for(case_type)


BOOK = """
working_hours = ["08:30-12:00", "13:30-17:30"]

[defaults]
working_days = 3

[types.consultation]
working_days = 0

[region_types.rural]
working_hours = ["08:00-12:00", "14:00-18:00"]

[region_types.rural.types.consultation]
working_days = 1

[units.county.types.consultation]
working_days = 2
remind_before_minutes = 60

[units.station.types.consultation]
calendar_hours = 24

[units.gx]
calendars = ["cn", "cn_gx"]
"""


def test_it_narrows_a_policy_by_region_type_then_by_the_nearest_unit() -> None:
    book = parse_policy_book(BOOK)

    national = book.policy_for("consultation", region_type="urban")
    rural = book.policy_for("consultation", region_type="rural")
    county = book.policy_for("consultation", region_type="rural", unit_codes=["x", "county"])
    station = book.policy_for("consultation", unit_codes=["station", "county"])

    assert national is not None and national.working_days == 0
    assert rural is not None and rural.working_days == 1
    assert county is not None and county.working_days == 2
    assert county.remind_before == timedelta(hours=1)
    assert station is not None and station.calendar_hours == 24
    assert station.working_days is None
    assert book.working_hours_for(region_type="rural").day_length == timedelta(hours=8)
    assert book.calendars_for(unit_codes=["gx"]) == ("cn", "cn_gx")
    assert book.calendars_for(unit_codes=["county"]) == ("cn",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[types.complaint]\nworking_dayz = 7\n", "unknown keys working_dayz"),
        ("[types.complaint]\nworking_days = 7\ncalendar_hours = 4\n", "complaint: set exactly"),
        ("[types.tip]\nworking_days = -1\n", "whole number"),
        ("[types.tip]\nextension_limit_days = 2\n", "must exceed"),
        ("[region_types.rural.types.tip]\ntracked = 1\n", "true or false"),
        ('[units.x]\nworking_hours = ["13:30-17:30", "08:30-12:00"]\n', "in order"),
        ("[defaults]\nworking_days = 2\n[defaults]\n", "not valid TOML"),
    ],
)
def test_it_refuses_a_malformed_policy_file_when_reading_it(text: str, message: str) -> None:
    with pytest.raises(PolicyDataError, match=message):
        parse_policy_book("[defaults]\nworking_days = 3\n" + text)


def test_it_refuses_a_policy_file_whose_defaults_count_nothing() -> None:
    with pytest.raises(PolicyDataError, match=r"\[defaults\]: set exactly one"):
        parse_policy_book("[types.tip]\nworking_days = 3\n")


# Calendar files: validated when read, and regional overlays on top of the nation's.


def test_it_lets_a_regional_overlay_add_a_local_holiday(tmp_path: Path) -> None:
    write_calendar(tmp_path, "cn-2026.tsv", "2026-10-01\trest\tNational Day\n")
    write_calendar(tmp_path, "cn_gx-2026.tsv", "2026-04-20\trest\tA local festival\n")

    national = load_calendar(["cn"], directory=tmp_path)
    regional = load_calendar(["cn", "cn_gx"], directory=tmp_path)

    assert national.is_working_day(date(2026, 4, 20))
    assert not regional.is_working_day(date(2026, 4, 20))
    assert not regional.is_working_day(date(2026, 10, 1))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2026-03-04\twork\tA Wednesday\n", "is a weekday"),
        ("2026-03-07\tholiday\tA Saturday\n", "kind must be"),
        ("2026-3-7\trest\tA Saturday\n", "not a date"),
        ("2026-03-07 rest A Saturday\n", "separated by tabs"),
        ("2029-03-07\trest\tFar away\n", "too far"),
        ("2026-10-01\trest\tNational Day\n2026-10-01\trest\tAgain\n", "listed twice"),
    ],
)
def test_it_refuses_a_malformed_calendar_file(tmp_path: Path, rows: str, message: str) -> None:
    write_calendar(tmp_path, "cn-2026.tsv", rows)

    with pytest.raises(CalendarDataError, match=message):
        load_calendar(directory=tmp_path)


def test_it_refuses_a_calendar_file_that_does_not_name_its_notice(tmp_path: Path) -> None:
    (tmp_path / "cn-2026.tsv").write_text("2026-10-01\trest\tNational Day\n", encoding="utf-8")

    with pytest.raises(CalendarDataError, match="source"):
        load_calendar(directory=tmp_path)


def test_it_refuses_an_overlay_without_files_rather_than_ignoring_it() -> None:
    with pytest.raises(CalendarDataError, match="cn_nowhere"):
        load_calendar(["cn", "cn_nowhere"], directory=DATA_DIRECTORY)
