"""The report's figures as people see them: translated charts, legends and number tables.

Each chart comes with a table of the same numbers, for screen readers and for anyone who
would rather read than look.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from beatdesk.inbox.models import CaseType
from beatdesk.reports.charts import (
    Chart,
    RateBar,
    RateChart,
    Series,
    line_svg,
    rate_bar_svg,
    series_class,
    stacked_bar_svg,
)
from beatdesk.reports.figures import DailyCounts, UnitRate, WeekOfAnswers

# The most frequent types get a colour each; the rest share one, so colours stay apart.
TYPES_SHOWN = 5
OTHER_TYPES = "other"
MESSAGE_KINDS = ("resident", "person", "automatic")


# A figure as counted: a day, a name, a count, hours or a share; None where there is none.
Cell = str | int | float | date | None


class ColumnKind(StrEnum):
    """What a table's column holds, which says how the page and the workbook write it."""

    TEXT = "text"
    DAY = "day"
    COUNT = "count"
    HOURS = "hours"
    SHARE = "share"


@dataclass(frozen=True, slots=True)
class Table:
    """The numbers of a chart as counted; the page and the report file both write these."""

    head: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]
    values: tuple[tuple[Cell, ...], ...]

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        """Return the values as the page writes them."""
        return tuple(
            tuple(shown_cell(kind, value) for kind, value in zip(self.kinds, row, strict=True))
            for row in self.values
        )


def shown_cell(kind: ColumnKind, value: Cell) -> str:
    """Write one value as the page shows it: hours to a tenth, shares as whole percents."""
    if isinstance(value, date):
        return value.isoformat()
    number = float(value) if isinstance(value, int | float) else None
    if kind == ColumnKind.HOURS:
        return _hours(number)
    if kind == ColumnKind.SHARE:
        return _percent(number)
    if kind == ColumnKind.COUNT:
        return str(round(number or 0))
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    name: str
    css_class: str


@dataclass(frozen=True, slots=True)
class ReportChart:
    """One chart of the page: its picture, what it counts, its legend and its numbers."""

    chart_id: str
    title: str
    definition: str
    svg: SafeString
    legend: tuple[LegendEntry, ...]
    table: Table
    is_empty: bool


def case_volume_chart(volume: DailyCounts) -> ReportChart:
    """New cases per day, the most frequent types stacked with the rest as one."""
    types = volume.keys_by_size()
    shown = types[:TYPES_SHOWN]
    groups = [*shown, OTHER_TYPES] if len(types) > TYPES_SHOWN else shown
    names = [_type_name(key) for key in groups]
    series = tuple(
        Series(name, tuple(float(_group_count(volume, day, key, shown)) for day in volume.days))
        for key, name in zip(groups, names, strict=True)
    )
    return _daily_bars(
        volume,
        Chart(
            chart_id="case-volume",
            title=_("New cases per day, by type"),
            description=_("Stacked bars: one bar per day, one colour per type of case."),
            x_label=_("Day"),
            y_label=_("Cases"),
            categories=tuple(_day_label(day) for day in volume.days),
            series=series,
        ),
        names,
        definition=_("Cases counted on the day they were opened."),
    )


def message_volume_chart(volume: DailyCounts) -> ReportChart:
    """Messages per day: from residents, answers by people, and automatic answers."""
    names = [_("From residents"), _("Answers by officers"), _("Automatic answers")]
    series = tuple(
        Series(name, tuple(float(volume.counts.get((day, kind), 0)) for day in volume.days))
        for kind, name in zip(MESSAGE_KINDS, names, strict=True)
    )
    return _daily_bars(
        volume,
        Chart(
            chart_id="message-volume",
            title=_("Messages per day"),
            description=_("Stacked bars: one bar per day, one colour per kind of message."),
            x_label=_("Day"),
            y_label=_("Messages"),
            categories=tuple(_day_label(day) for day in volume.days),
            series=series,
        ),
        names,
        definition=_("Every message of these cases, in both directions, on the day it was sent."),
    )


def _daily_bars(
    volume: DailyCounts, chart: Chart, names: Sequence[str], *, definition: str
) -> ReportChart:
    """Draw a per-day stacked bar chart with its table of numbers."""
    return _report_chart(
        chart,
        stacked_bar_svg(chart),
        definition=definition,
        table=_daily_table(volume.days, list(names), chart.series),
        empty=not volume.counts,
    )


def answer_time_chart(weeks: Sequence[WeekOfAnswers]) -> ReportChart:
    """Median and 90th percentile of the first answer by an officer, per week."""
    names = [_("Median"), _("90th percentile")]
    series = (
        Series(names[0], tuple(week.median for week in weeks)),
        Series(names[1], tuple(week.ninetieth for week in weeks)),
    )
    chart = Chart(
        chart_id="answer-time",
        title=_("Time to the first answer by an officer, per week"),
        description=_("Two lines over twelve weeks: the median and the 90th percentile."),
        x_label=_("Week starting"),
        y_label=_("Hours"),
        categories=tuple(_day_label(week.week_start) for week in weeks),
        series=series,
        whole_numbers=False,
    )
    return _report_chart(
        chart,
        line_svg(chart),
        definition=_(
            "From a case's first message from the resident to the first message an officer "
            "sent to the resident; automatic answers do not count. A case belongs to the week "
            "its first message arrived. Half the cases were answered within the median, nine "
            "in ten within the 90th percentile. Cases nobody has answered yet are counted "
            "apart, not as fast."
        ),
        table=_answer_table(weeks),
        empty=not any(week.hours or week.unanswered for week in weeks),
        line_legend=True,
    )


def on_time_chart(rates: Sequence[UnitRate]) -> ReportChart:
    """On-time rate of each unit, with the counts beside it so a small number shows."""
    bars = tuple(
        RateBar(label=rate.unit.name, share=rate.rate.rate, note=_rate_note(rate))
        for rate in rates
    )
    chart = RateChart(
        chart_id="on-time",
        title=_("On-time rate by unit"),
        description=_("One bar per unit, from 0 to 100%, with the cases counted beside it."),
        x_label=_("Share of counted cases handled on time"),
        bars=bars,
    )
    return _report_chart(
        chart,
        rate_bar_svg(chart),
        definition=_(
            "On time divided by the cases whose outcome is known: closed (on time or late) "
            "plus still open and already overdue. Counted are the cases opened in the period "
            "and every case still open past its deadline, however old. Cases without a "
            "deadline and open cases still within it are left out."
        ),
        table=_rate_table(rates),
        empty=all(rate.rate.counted == 0 for rate in rates),
    )


def _report_chart(
    chart: Chart | RateChart,
    svg: str,
    *,
    definition: str,
    table: Table,
    empty: bool,
    line_legend: bool = False,
) -> ReportChart:
    # Safe because charts.py escapes every text it puts into the picture.
    picture = mark_safe(svg)  # noqa: S308
    legend: tuple[LegendEntry, ...] = ()
    if isinstance(chart, Chart):
        # A line chart's legend shows line samples, dashed where the line is dashed.
        sample = " line-sample" if line_legend else ""
        legend = tuple(
            LegendEntry(one.name, series_class(index) + sample)
            for index, one in enumerate(chart.series)
        )
    return ReportChart(chart.chart_id, chart.title, definition, picture, legend, table, empty)


def _type_name(key: str) -> str:
    if key == OTHER_TYPES:
        return _("Other types")
    if key in CaseType.values:
        return str(CaseType(key).label)
    return key


def _group_count(volume: DailyCounts, day: date, key: str, shown: Sequence[str]) -> int:
    if key != OTHER_TYPES:
        return volume.counts.get((day, key), 0)
    return sum(n for (d, k), n in volume.counts.items() if d == day and k not in shown)


def _day_label(day: date) -> str:
    return f"{day:%m-%d}"


def _daily_table(days: Sequence[date], names: Sequence[str], series: Sequence[Series]) -> Table:
    values: tuple[tuple[Cell, ...], ...] = tuple(
        (day, *(round(one.values[index] or 0) for one in series)) for index, day in enumerate(days)
    )
    kinds = (ColumnKind.DAY, *(ColumnKind.COUNT for _name in names))
    return Table(head=(_("Day"), *names), kinds=kinds, values=values)


def _answer_table(weeks: Sequence[WeekOfAnswers]) -> Table:
    head = (
        _("Week starting"),
        _("Answered by an officer"),
        _("Median (hours)"),
        _("90th percentile (hours)"),
        _("Not yet answered by an officer"),
    )
    kinds = (
        ColumnKind.DAY,
        ColumnKind.COUNT,
        ColumnKind.HOURS,
        ColumnKind.HOURS,
        ColumnKind.COUNT,
    )
    values = tuple(
        (week.week_start, len(week.hours), week.median, week.ninetieth, week.unanswered)
        for week in weeks
    )
    return Table(head=head, kinds=kinds, values=values)


def _rate_table(rates: Sequence[UnitRate]) -> Table:
    head = (
        _("Unit"),
        _("On time"),
        _("Closed late"),
        _("Open and overdue"),
        _("Counted"),
        _("On-time rate"),
    )
    kinds = (ColumnKind.TEXT, *(ColumnKind.COUNT for _count in range(4)), ColumnKind.SHARE)
    values = tuple(
        (
            rate.unit.name,
            rate.rate.on_time,
            rate.rate.closed_late,
            rate.rate.open_overdue,
            rate.rate.counted,
            rate.rate.rate,
        )
        for rate in rates
    )
    return Table(head=head, kinds=kinds, values=values)


def _rate_note(rate: UnitRate) -> str:
    if rate.rate.rate is None:
        return _("nothing counted yet")
    return _("%(percent)s · %(on_time)s of %(counted)s") % {
        "percent": _percent(rate.rate.rate),
        "on_time": rate.rate.on_time,
        "counted": rate.rate.counted,
    }


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"
