"""When a case is due, when to remind its officer, and when to tell the unit's leader.

A deadline is measured in working time from the moment the case arrives; a case that
arrives after hours or on a rest day starts counting at the next opening. `n` working days
is `n` days' worth of working time, so a case that arrives at an opening is due at the
close of its `n`-th working day, and one that arrives at 10:00 is due at 10:00 `n` working
days later. Zero working days means by the close of the working day the clock starts on.
Time spent waiting for the resident does not count: the clock stops during each pause.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from beatdesk.inbox.deadlines.clock import ROUND_THE_CLOCK, Clock, Schedule, as_utc
from beatdesk.inbox.deadlines.policies import Policy


@dataclass(frozen=True, slots=True)
class Pause:
    """A stretch of waiting for the resident, from the status change to the answer."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if as_utc(self.end) < as_utc(self.start):
            raise ValueError("a pause cannot end before it starts")


def clock_for(policy: Policy, schedule: Schedule) -> Clock:
    """Return the clock a policy counts in: the unit's working time or elapsed hours."""
    return ROUND_THE_CLOCK if policy.calendar_hours is not None else schedule


def due_at(
    received_at: datetime,
    policy: Policy,
    schedule: Schedule,
    pauses: Iterable[Pause] = (),
) -> datetime:
    """Return when a case is due, in UTC, with the clock stopped during closed pauses.

    A pause that starts after the case was already due does not move the deadline: waiting
    for the resident cannot turn an overdue case into one on time.
    """
    clock = clock_for(policy, schedule)
    start = clock.clock_start(received_at)
    remaining = _allowance(policy, schedule, start)

    cursor = start
    for pause in _merged(pauses):
        pause_start, pause_end = as_utc(pause.start), as_utc(pause.end)
        if pause_end <= cursor:
            continue
        counted = clock.time_between(cursor, max(cursor, pause_start))
        if counted >= remaining:
            break
        remaining -= counted
        cursor = pause_end
    return clock.add(cursor, remaining)


def reminder_at(
    deadline: datetime, policy: Policy, schedule: Schedule, received_at: datetime
) -> datetime | None:
    """Return when to remind the officer: `remind_before` of the policy's time before the
    deadline; None when that is not after the clock starts, as the case is fresh anyway."""
    if policy.remind_before <= timedelta(0):
        return None
    clock = clock_for(policy, schedule)
    moment = clock.subtract(deadline, policy.remind_before)
    if moment <= clock.clock_start(received_at):
        return None
    return moment


def escalation_at(deadline: datetime, policy: Policy, schedule: Schedule) -> datetime:
    """Return the moment after which an open case goes to the unit's leader."""
    return clock_for(policy, schedule).add(deadline, policy.escalate_after)


def is_overdue(now: datetime, deadline: datetime) -> bool:
    """Return whether the deadline has passed; a case answered at the deadline is on time."""
    return as_utc(now) > as_utc(deadline)


def is_due(now: datetime, moment: datetime) -> bool:
    """Return whether a scheduled moment (a reminder, an escalation) has come."""
    return as_utc(now) >= as_utc(moment)


def _allowance(policy: Policy, schedule: Schedule, start: datetime) -> timedelta:
    if policy.calendar_hours is not None:
        return timedelta(hours=policy.calendar_hours)
    assert policy.working_days is not None
    if policy.working_days == 0:
        return schedule.time_between(start, schedule.end_of_working_day(start))
    return policy.working_days * schedule.hours.day_length


def _merged(pauses: Iterable[Pause]) -> list[Pause]:
    merged: list[Pause] = []
    for pause in sorted(pauses, key=lambda pause: as_utc(pause.start)):
        if merged and as_utc(pause.start) <= as_utc(merged[-1].end):
            last = merged.pop()
            pause = Pause(last.start, max(as_utc(last.end), as_utc(pause.end)))
        merged.append(pause)
    return merged
