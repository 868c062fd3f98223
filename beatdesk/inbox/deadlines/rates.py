"""The on-time rate, counted so that a backlog left to rot cannot look punctual.

On time divided by everything whose outcome is known: cases closed (on time or late) plus
open cases already overdue. An open case still inside its deadline is left out, because it
may yet go either way; an open overdue case is counted as late, because it already is.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from beatdesk.inbox.deadlines.clock import as_utc


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What the rate needs of a case: its deadline, and when it was closed if it was.

    The deadline is the one in force now, with any pause already accounted for; a case
    with no deadline (chat, spam) is not counted at all.
    """

    deadline: datetime | None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OnTimeRate:
    on_time: int
    closed_late: int
    open_overdue: int

    @property
    def counted(self) -> int:
        return self.on_time + self.closed_late + self.open_overdue

    @property
    def rate(self) -> float | None:
        """Return the share on time, or None when nothing can be counted yet (not 100%)."""
        return self.on_time / self.counted if self.counted else None


def compute_on_time_rate(outcomes: Iterable[CaseOutcome], now: datetime) -> OnTimeRate:
    """Count cases on time, closed late, and open past their deadline at `now`."""
    now = as_utc(now)
    on_time = closed_late = open_overdue = 0
    for outcome in outcomes:
        if outcome.deadline is None:
            continue
        deadline = as_utc(outcome.deadline)
        if outcome.closed_at is None:
            if now > deadline:
                open_overdue += 1
        elif as_utc(outcome.closed_at) <= deadline:
            on_time += 1
        else:
            closed_late += 1
    return OnTimeRate(on_time=on_time, closed_late=closed_late, open_overdue=open_overdue)
