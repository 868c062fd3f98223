"""The numbers behind the reports: volume per day, answer times per week, on-time rates.

Counting happens in the database where it can (per day, per type, per case); what the
database cannot do the same way on SQLite and PostgreSQL (percentiles, the on-time rule)
is done here on the few columns it needs. Days and weeks are those of the installation's
time zone (settings.TIME_ZONE), so a message at 23:30 Beijing time counts on that day.
"""

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from beatdesk.inbox.deadlines import CaseOutcome, OnTimeRate, compute_on_time_rate
from beatdesk.inbox.models import Case, CasePause, CaseStatus, Direction, Message
from beatdesk.units.models import Unit

ANSWER_TIME_WEEKS = 12


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """Counts per local day and per key (a case type, a kind of message)."""

    days: tuple[date, ...]
    counts: dict[tuple[date, str], int]

    def keys_by_size(self) -> list[str]:
        """Return the keys, the most frequent first (ties in name order, for a stable legend)."""
        totals = Counter[str]()
        for (_day, key), count in self.counts.items():
            totals[key] += count
        return sorted(totals, key=lambda key: (-totals[key], key))


@dataclass(frozen=True, slots=True)
class WeekOfAnswers:
    """First human answer times of the cases that began in one local week, in hours."""

    week_start: date
    hours: tuple[float, ...]
    unanswered: int

    @property
    def median(self) -> float | None:
        return nearest_rank(self.hours, 0.5)

    @property
    def ninetieth(self) -> float | None:
        return nearest_rank(self.hours, 0.9)


@dataclass(frozen=True, slots=True)
class UnitRate:
    """The on-time rate of a unit's whole subtree; `is_top` for the user's own units."""

    unit: Unit
    rate: OnTimeRate
    is_top: bool


def local_days(now: datetime, count: int) -> tuple[date, ...]:
    """Return the last `count` local days, oldest first, today included."""
    today = timezone.localtime(now, _zone()).date()
    return tuple(today - timedelta(days=back) for back in range(count - 1, -1, -1))


def local_midnight(day: date) -> datetime:
    """Return the start of a local day as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), _zone())


def week_start(day: date) -> date:
    """Return the Monday of the week a day falls in."""
    return day - timedelta(days=day.weekday())


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """Return the smallest value that at least `share` of the values do not exceed.

    The nearest-rank percentile: always one of the observed values, so the page can say
    "nine in ten were answered within this time" and mean it exactly.
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def daily_case_volume(cases: QuerySet[Case], days: Sequence[date]) -> DailyCounts:
    """Count the cases opened on each day, by type."""
    rows = (
        cases.filter(opened_at__gte=local_midnight(days[0]))
        .annotate(day=TruncDate("opened_at", tzinfo=_zone()))
        .order_by()
        .values("day", "case_type")
        .annotate(count=Count("id"))
    )
    counts = {(row["day"], row["case_type"]): row["count"] for row in rows}
    return DailyCounts(days=tuple(days), counts=_within(counts, days))


def daily_message_volume(cases: QuerySet[Case], days: Sequence[date]) -> DailyCounts:
    """Count the messages of the cases on each day: from residents, by people, automatic."""
    rows = (
        Message.objects.filter(case__in=cases.order_by().values("pk"))
        .filter(sent_at__gte=local_midnight(days[0]))
        .annotate(day=TruncDate("sent_at", tzinfo=_zone()))
        .order_by()
        .values("day", "direction", "is_automatic")
        .annotate(count=Count("id"))
    )
    counts: Counter[tuple[date, str]] = Counter()
    for row in rows:
        counts[(row["day"], _message_kind(row["direction"], row["is_automatic"]))] += row["count"]
    return DailyCounts(days=tuple(days), counts=_within(dict(counts), days))


def weekly_answer_times(
    cases: QuerySet[Case], now: datetime, weeks: int = ANSWER_TIME_WEEKS
) -> list[WeekOfAnswers]:
    """Return, per local week, how long cases waited for their first answer by a person.

    A case's answer time runs from its first message from the resident to the first
    message a person sent to the resident (automatic answers do not count). A case
    belongs to the week its first message arrived in; one nobody has answered yet is
    counted as unanswered, not as fast.
    """
    this_week = week_start(timezone.localtime(now, _zone()).date())
    starts = [this_week - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    hours: dict[date, list[float]] = {start: [] for start in starts}
    unanswered: Counter[date] = Counter()
    for first_in, first_answer in _first_messages(cases, local_midnight(starts[0])):
        start = week_start(timezone.localtime(first_in, _zone()).date())
        if start not in hours:
            continue
        # An answer stamped before the resident's first message (two channels' clocks
        # disagreeing) says nothing about waiting; such a case is not counted as fast.
        if first_answer is None or first_answer < first_in:
            unanswered[start] += 1
        else:
            hours[start].append((first_answer - first_in).total_seconds() / 3600)
    return [WeekOfAnswers(start, tuple(hours[start]), unanswered[start]) for start in starts]


def on_time_rates(
    cases: QuerySet[Case],
    rows: Sequence[tuple[Unit, bool]],
    since: datetime,
    now: datetime,
    on_unit: Callable[[int], None] | None = None,
) -> list[UnitRate]:
    """Return the on-time rate of each row's unit and everything under it.

    Counted are the cases opened since `since`, and every case still open past its
    deadline however old it is, so that an old backlog cannot drop out of the picture.
    `on_unit` hears how many units are rated, after each one.
    """
    outcomes = _outcomes(cases, since, now)
    rates = []
    for done, (unit, is_top) in enumerate(rows, start=1):
        under = (outcome for path, outcome in outcomes if path.startswith(unit.path))
        rates.append(UnitRate(unit=unit, rate=compute_on_time_rate(under, now), is_top=is_top))
        if on_unit is not None:
            on_unit(done)
    return rates


def _zone() -> tzinfo:
    return timezone.get_default_timezone()


def _within(
    counts: dict[tuple[date, str], int], days: Iterable[date]
) -> dict[tuple[date, str], int]:
    # A message stamped later than today (a resident's clock, a channel's) has no bar.
    wanted = set(days)
    return {key: count for key, count in counts.items() if key[0] in wanted}


def _message_kind(direction: str, is_automatic: bool) -> str:
    if direction == Direction.INBOUND:
        return "resident"
    return "automatic" if is_automatic else "person"


def _first_messages(
    cases: QuerySet[Case], since: datetime
) -> list[tuple[datetime, datetime | None]]:
    """Return each case's first resident message and first answer by a person, per case."""
    rows = (
        cases.order_by()
        .annotate(
            first_in=Min("messages__sent_at", filter=Q(messages__direction=Direction.INBOUND)),
            first_answer=Min(
                "messages__sent_at",
                filter=Q(messages__direction=Direction.OUTBOUND, messages__is_automatic=False),
            ),
        )
        .filter(first_in__gte=since)
        .values_list("first_in", "first_answer")
    )
    return list(rows)


def _outcomes(
    cases: QuerySet[Case], since: datetime, now: datetime
) -> list[tuple[str, CaseOutcome]]:
    """Return the unit path and outcome of every case the on-time rate counts."""
    open_pause = CasePause.objects.filter(case=OuterRef("pk"), ended_at__isnull=True)
    rows = (
        cases.order_by()
        .filter(deadline__isnull=False)
        .filter(Q(opened_at__gte=since) | Q(closed_at__isnull=True, deadline__lt=now))
        .annotate(
            unit_path=F("unit__path"),
            paused_since=Subquery(open_pause.values("started_at")[:1]),
        )
        .values_list("unit_path", "deadline", "closed_at", "status", "paused_since")
    )
    outcomes = []
    for path, deadline, closed_at, status, paused_since in rows:
        if _clock_stopped_in_time(status, deadline, paused_since):
            continue
        outcomes.append((path, CaseOutcome(deadline=deadline, closed_at=closed_at)))
    return outcomes


def _clock_stopped_in_time(
    status: str, deadline: datetime | None, paused_since: datetime | None
) -> bool:
    """Return whether a case waits for its resident since before it was due.

    Its stored deadline then no longer holds (the clock stands still while it waits), so
    it is not overdue and is left out like any open case still inside its deadline. A
    case set to waiting only after it was due stays overdue.
    """
    if status != CaseStatus.WAITING or deadline is None or paused_since is None:
        return False
    return paused_since < deadline
