"""A report's four charts, counted the same way for the page and for the report file."""

from collections.abc import Callable, Sequence
from datetime import date, datetime

from beatdesk.reports.access import ReportScope
from beatdesk.reports.figures import (
    daily_case_volume,
    daily_message_volume,
    local_midnight,
    on_time_rates,
    weekly_answer_times,
)
from beatdesk.reports.presentation import (
    ReportChart,
    answer_time_chart,
    case_volume_chart,
    message_volume_chart,
    on_time_chart,
)

# Steps before the units are rated: the two volumes, then the answer times.
STEPS_BEFORE_RATES = 3
# Hears how many steps are done of how many, and what the report is doing now.
StepCallback = Callable[[int, int, str], None]
COUNTING = "counting"
TIMING = "timing"
RATING = "rating"


def report_charts(
    scope: ReportScope,
    days: Sequence[date],
    now: datetime,
    on_step: StepCallback | None = None,
) -> list[ReportChart]:
    """Return the volume, answer-time and on-time charts of `scope` over `days`.

    `on_step` hears each step: one per volume and one for the answer times, then one per
    unit of the on-time table, which is where a large scope spends its time.
    """
    rows = scope.rate_rows()
    total = STEPS_BEFORE_RATES + len(rows)
    tell = on_step or _ignore
    tell(0, total, COUNTING)
    charts = [
        case_volume_chart(daily_case_volume(scope.cases, days)),
        message_volume_chart(daily_message_volume(scope.cases, days)),
    ]
    tell(2, total, TIMING)
    charts.append(answer_time_chart(weekly_answer_times(scope.cases, now)))
    tell(STEPS_BEFORE_RATES, total, RATING)
    rates = on_time_rates(
        scope.cases,
        rows,
        local_midnight(days[0]),
        now,
        lambda done: tell(STEPS_BEFORE_RATES + done, total, RATING),
    )
    charts.append(on_time_chart(rates))
    return charts


def _ignore(done: int, total: int, step: str) -> None:
    return None
