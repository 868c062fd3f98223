"""Working time: the hours a unit works on its working days, measured in its time zone.

Every function takes and returns aware datetimes and answers in UTC. Wall-clock times are
built in the unit's zone and converted at once, so nothing depends on the process's own
time zone, and arithmetic never mixes offsets. Naive datetimes are refused.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from beatdesk.inbox.deadlines.workdays import HolidayCalendar

# Searching further than this for working time means the calendar has none: a data error.
MAX_DAYS_SEARCHED = 3700
PERIOD = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class NoWorkingTime(Exception):
    """No working time was found within ten years: the calendar or hours are wrong."""


def as_utc(moment: datetime) -> datetime:
    """Return an aware datetime in UTC; refuse a naive one, whose zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"deadlines need aware datetimes, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """The periods a unit works on each working day, such as 08:30-12:00 and 13:30-17:30."""

    periods: tuple[tuple[time, time], ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")
        previous_end = time.min
        for start, end in self.periods:
            if not previous_end <= start < end:
                raise ValueError("working periods must be in order and must not overlap")
            previous_end = end

    @classmethod
    def parse(cls, texts: Sequence[str]) -> "WorkingHours":
        """Read periods written as "HH:MM-HH:MM"."""
        periods = []
        for text in texts:
            match = PERIOD.match(text.strip())
            if match is None:
                raise ValueError(f"{text!r} is not a period like 08:30-12:00")
            start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
            periods.append((time(start_hour, start_minute), time(end_hour, end_minute)))
        return cls(tuple(periods))

    @property
    def day_length(self) -> timedelta:
        """Return the working time of one working day."""
        some_day = date(2000, 1, 3)
        return sum(
            (
                datetime.combine(some_day, end) - datetime.combine(some_day, start)
                for start, end in self.periods
            ),
            timedelta(0),
        )


DEFAULT_WORKING_HOURS = WorkingHours.parse(["08:30-12:00", "13:30-17:30"])


class Clock(Protocol):
    """How a policy measures time: working time of a unit, or plain elapsed time."""

    def clock_start(self, moment: datetime) -> datetime: ...

    def time_between(self, start: datetime, end: datetime) -> timedelta: ...

    def add(self, start: datetime, amount: timedelta) -> datetime: ...

    def subtract(self, end: datetime, amount: timedelta) -> datetime: ...


class RoundTheClock:
    """Elapsed time, every hour of every day: for policies counted in calendar hours."""

    def clock_start(self, moment: datetime) -> datetime:
        return as_utc(moment)

    def time_between(self, start: datetime, end: datetime) -> timedelta:
        return max(as_utc(end) - as_utc(start), timedelta(0))

    def add(self, start: datetime, amount: timedelta) -> datetime:
        return as_utc(start) + amount

    def subtract(self, end: datetime, amount: timedelta) -> datetime:
        return as_utc(end) - amount


ROUND_THE_CLOCK = RoundTheClock()


@dataclass(frozen=True)
class Schedule:
    """A unit's working time: its holiday calendar, its working hours and its time zone."""

    calendar: HolidayCalendar
    hours: WorkingHours
    time_zone: tzinfo

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """Return the working periods of a local date in UTC; none on a rest day."""
        if not self.calendar.is_working_day(day):
            return []
        return [
            (
                datetime.combine(day, start, self.time_zone).astimezone(UTC),
                datetime.combine(day, end, self.time_zone).astimezone(UTC),
            )
            for start, end in self.hours.periods
        ]

    def local_date(self, moment: datetime) -> date:
        return as_utc(moment).astimezone(self.time_zone).date()

    def clock_start(self, moment: datetime) -> datetime:
        """Return the first working instant at or after a moment (after hours: next opening)."""
        moment = as_utc(moment)
        day = self.local_date(moment)
        for _ in range(MAX_DAYS_SEARCHED):
            for opens, closes in self.periods_on(day):
                if closes > moment:
                    return max(opens, moment)
            day += timedelta(days=1)
        raise NoWorkingTime(f"no working time within {MAX_DAYS_SEARCHED} days of {moment}")

    def end_of_working_day(self, moment: datetime) -> datetime:
        """Return the close of the working day on which the clock starts for a moment."""
        start = self.clock_start(moment)
        return self.periods_on(self.local_date(start))[-1][1]

    def time_between(self, start: datetime, end: datetime) -> timedelta:
        """Return the working time between two moments; none if end is not after start."""
        start, end = as_utc(start), as_utc(end)
        total = timedelta(0)
        if end <= start:
            return total
        day, last_day = self.local_date(start), self.local_date(end)
        for _ in range((last_day - day).days + 1):
            for opens, closes in self.periods_on(day):
                total += max(min(closes, end) - max(opens, start), timedelta(0))
            day += timedelta(days=1)
        return total

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """Return the earliest moment by which `amount` of working time has passed.

        When the time runs out exactly at a closing time, the answer is that closing time,
        not the next opening, so "one working day" from an opening ends the same evening.
        """
        start = as_utc(start)
        if amount <= timedelta(0):
            return start
        remaining = amount
        day = self.local_date(start)
        for _ in range(MAX_DAYS_SEARCHED):
            for opens, closes in self.periods_on(day):
                if closes <= start:
                    continue
                opens = max(opens, start)
                if remaining <= closes - opens:
                    return opens + remaining
                remaining -= closes - opens
            day += timedelta(days=1)
        raise NoWorkingTime(f"no working time within {MAX_DAYS_SEARCHED} days of {start}")

    def subtract(self, end: datetime, amount: timedelta) -> datetime:
        """Return the latest moment from which `amount` of working time reaches `end`."""
        end = as_utc(end)
        if amount <= timedelta(0):
            return end
        remaining = amount
        day = self.local_date(end)
        for _ in range(MAX_DAYS_SEARCHED):
            for opens, closes in reversed(self.periods_on(day)):
                if opens >= end:
                    continue
                closes = min(closes, end)
                if remaining <= closes - opens:
                    return closes - remaining
                remaining -= closes - opens
            day -= timedelta(days=1)
        raise NoWorkingTime(f"no working time within {MAX_DAYS_SEARCHED} days before {end}")
