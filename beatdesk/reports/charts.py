"""Charts drawn as inline SVG by our own code: no script, no style attribute, no CDN.

Every text that reaches a picture is escaped here, so a unit's name can never become
markup. Colours and fonts come from classes in `reports/reports.css` (`series-0` to
`series-5`), which the Content-Security-Policy allows where it refuses style attributes.
The module has no Django in it: callers pass translated strings in.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
PLOT_HEIGHT = 220
LEFT = 64
RIGHT = 16
TOP = 16
BOTTOM = 64
# Series colours cycle through this many classes; more series than this share colours.
SERIES_CLASSES = 6
# At most this many labels under the x axis, so that day labels never overlap.
MAX_X_LABELS = 8
FONT_SIZE = 13
RATE_ROW_HEIGHT = 30
RATE_LABEL_WIDTH = 168
RATE_BAR_WIDTH = 300
CHART_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of values, one value per category; None where there is nothing."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart over categories along the x axis (days, weeks), with one or more series."""

    chart_id: str
    title: str
    description: str
    x_label: str
    y_label: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    # Counts are whole numbers: their axis ticks are too.
    whole_numbers: bool = True

    def __post_init__(self) -> None:
        if not CHART_ID.match(self.chart_id):
            raise ValueError(f"chart id {self.chart_id!r} is not a plain lowercase name")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"series {series.name!r} does not match the categories")


@dataclass(frozen=True, slots=True)
class RateBar:
    """One row of a rate chart: a share from 0 to 1 (None when nothing counts) and a note."""

    label: str
    share: float | None
    note: str


@dataclass(frozen=True, slots=True)
class RateChart:
    """Shares drawn as horizontal bars from 0 to 100%, one row per label."""

    chart_id: str
    title: str
    description: str
    x_label: str
    bars: tuple[RateBar, ...]

    def __post_init__(self) -> None:
        if not CHART_ID.match(self.chart_id):
            raise ValueError(f"chart id {self.chart_id!r} is not a plain lowercase name")


@dataclass(frozen=True, slots=True)
class Scale:
    """A value axis: its top and the values that get a tick and a grid line."""

    top: float
    ticks: tuple[float, ...]


def series_class(index: int) -> str:
    """Return the colour class of the series at `index`, for the chart and its legend."""
    return f"series-{index % SERIES_CLASSES}"


def nice_scale(largest: float, *, whole_numbers: bool) -> Scale:
    """Return an axis from 0 reaching just past `largest`, in steps of 1, 2 or 5 × 10^n."""
    if largest <= 0:
        return Scale(top=1.0, ticks=(0.0, 1.0))
    rough_step = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough_step))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough_step)
    if whole_numbers:
        step = max(1.0, math.ceil(step))
    count = math.ceil(largest / step)
    return Scale(top=step * count, ticks=tuple(step * i for i in range(count + 1)))


def stacked_bar_svg(chart: Chart) -> str:
    """Draw one bar per category, its series stacked from the axis up."""
    totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]
    scale = nice_scale(max(totals, default=0), whole_numbers=chart.whole_numbers)
    slot = _plot_width() / max(1, len(chart.categories))
    parts = _frame(chart, scale)
    for index in range(len(chart.categories)):
        parts.extend(_stack(chart.series, index, LEFT + slot * index, slot, scale))
    return _svg(chart.chart_id, chart.title, chart.description, _chart_height(), parts)


def line_svg(chart: Chart) -> str:
    """Draw each series as a line through its points; a missing value breaks the line."""
    values = [v for s in chart.series for v in s.values if v is not None]
    scale = nice_scale(max(values, default=0), whole_numbers=chart.whole_numbers)
    slot = _plot_width() / max(1, len(chart.categories))
    parts = _frame(chart, scale)
    for number, series in enumerate(chart.series):
        parts.extend(_line(series, series_class(number), slot, scale))
    return _svg(chart.chart_id, chart.title, chart.description, _chart_height(), parts)


def rate_bar_svg(chart: RateChart) -> str:
    """Draw one horizontal bar per row, 0 to 100%, its label left and its note right."""
    height = TOP + RATE_ROW_HEIGHT * len(chart.bars) + 48
    parts = _rate_grid(len(chart.bars))
    for row, bar in enumerate(chart.bars):
        parts.extend(_rate_row(bar, TOP + RATE_ROW_HEIGHT * row))
    axis_y = TOP + RATE_ROW_HEIGHT * len(chart.bars) + 40
    centre = RATE_LABEL_WIDTH + RATE_BAR_WIDTH / 2
    parts.append(_text(centre, axis_y, chart.x_label, "axis-label", anchor="middle"))
    return _svg(chart.chart_id, chart.title, chart.description, height, parts)


def fit_label(text: str, width: float) -> str:
    """Cut a label to what fits in `width` units, ending it with an ellipsis if cut."""
    if _text_width(text) <= width:
        return text
    kept = ""
    for character in text:
        if _text_width(kept + character + "…") > width:
            break
        kept += character
    return kept + "…"


def _text_width(text: str) -> float:
    # Chinese characters take a full em; Latin letters and digits a little over half.
    return sum(FONT_SIZE if ord(c) > 0x2E7F else FONT_SIZE * 0.6 for c in text)


def _plot_width() -> float:
    return WIDTH - LEFT - RIGHT


def _chart_height() -> int:
    return TOP + PLOT_HEIGHT + BOTTOM


def _y(value: float, scale: Scale) -> float:
    return TOP + PLOT_HEIGHT - value / scale.top * PLOT_HEIGHT


def _frame(chart: Chart, scale: Scale) -> list[str]:
    """Return the grid, both axes with their ticks, and both axis labels."""
    parts = []
    for tick in scale.ticks:
        y = _y(tick, scale)
        parts.append(_line_element(LEFT, y, WIDTH - RIGHT, y, "gridline"))
        parts.append(_text(LEFT - 6, y + 4, _number(tick), "tick", anchor="end"))
    bottom = TOP + PLOT_HEIGHT
    parts.append(_line_element(LEFT, bottom, WIDTH - RIGHT, bottom, "axis"))
    parts.extend(_x_labels(chart.categories, bottom))
    parts.append(
        _text(LEFT + _plot_width() / 2, bottom + 52, chart.x_label, "axis-label", "middle")
    )
    middle = TOP + PLOT_HEIGHT / 2
    parts.append(
        f'<text class="axis-label" x="{_n(16)}" y="{_n(middle)}" text-anchor="middle" '
        f'transform="rotate(-90 16 {_n(middle)})">{escape(chart.y_label)}</text>'
    )
    return parts


def _x_labels(categories: Sequence[str], bottom: float) -> list[str]:
    """Label every n-th category, so that no more than MAX_X_LABELS fit under the axis."""
    every = max(1, math.ceil(len(categories) / MAX_X_LABELS))
    slot = _plot_width() / max(1, len(categories))
    labels = []
    for index in range(0, len(categories), every):
        x = LEFT + slot * (index + 0.5)
        labels.append(_line_element(x, bottom, x, bottom + 4, "axis"))
        labels.append(_text(x, bottom + 20, categories[index], "tick", anchor="middle"))
    return labels


def _stack(
    series: Sequence[Series], index: int, left: float, slot: float, scale: Scale
) -> list[str]:
    """Return the rectangles of one bar, the first series at the bottom."""
    parts = []
    base = 0.0
    width = max(1.0, slot * 0.7)
    for number, one in enumerate(series):
        value = one.values[index] or 0
        if value <= 0:
            continue
        top, bottom = _y(base + value, scale), _y(base, scale)
        parts.append(
            f'<rect class="{series_class(number)}" x="{_n(left + (slot - width) / 2)}" '
            f'y="{_n(top)}" width="{_n(width)}" height="{_n(bottom - top)}"/>'
        )
        base += value
    return parts


def _line(series: Series, css_class: str, slot: float, scale: Scale) -> list[str]:
    """Return the pieces of one series' line and a marker on each point."""
    parts = []
    run: list[str] = []
    for index, value in enumerate((*series.values, None)):
        if value is None:
            if len(run) > 1:
                parts.append(f'<polyline class="line {css_class}" points="{" ".join(run)}"/>')
            run = []
            continue
        x, y = LEFT + slot * (index + 0.5), _y(value, scale)
        run.append(f"{_n(x)},{_n(y)}")
        parts.append(f'<circle class="point {css_class}" cx="{_n(x)}" cy="{_n(y)}" r="3.5"/>')
    return parts


def _rate_grid(rows: int) -> list[str]:
    """Return the vertical lines at 0, 25, 50, 75 and 100%, with their labels below."""
    bottom = TOP + RATE_ROW_HEIGHT * rows
    parts = []
    for quarter in range(5):
        x = RATE_LABEL_WIDTH + RATE_BAR_WIDTH * quarter / 4
        parts.append(_line_element(x, TOP - 4, x, bottom, "gridline" if quarter else "axis"))
        parts.append(_text(x, bottom + 16, f"{quarter * 25}%", "tick", anchor="middle"))
    return parts


def _rate_row(bar: RateBar, top: float) -> list[str]:
    """Return one row of a rate chart: the label, the bar if any, and the note."""
    middle = top + RATE_ROW_HEIGHT / 2
    label = fit_label(bar.label, RATE_LABEL_WIDTH - 10)
    parts = [_text(RATE_LABEL_WIDTH - 8, middle + 4, label, "tick", anchor="end")]
    if bar.share is not None:
        width = RATE_BAR_WIDTH * min(1.0, max(0.0, bar.share))
        parts.append(
            f'<rect class="{series_class(0)}" x="{RATE_LABEL_WIDTH}" y="{_n(top + 6)}" '
            f'width="{_n(width)}" height="{RATE_ROW_HEIGHT - 12}"/>'
        )
    note_x = RATE_LABEL_WIDTH + RATE_BAR_WIDTH + 8
    parts.append(_text(note_x, middle + 4, bar.note, "tick", anchor="start"))
    return parts


def _svg(chart_id: str, title: str, description: str, height: int, parts: list[str]) -> str:
    """Wrap the parts in an <svg> that screen readers take as one labelled picture."""
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )


def _text(x: float, y: float, text: str, css_class: str, anchor: str = "start") -> str:
    return (
        f'<text class="{css_class}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _line_element(x1: float, y1: float, x2: float, y2: float, css_class: str) -> str:
    return f'<line class="{css_class}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'


def _number(value: float) -> str:
    return f"{value:g}"


def _n(value: float) -> str:
    """Write a coordinate with at most one decimal, which is finer than any screen shows."""
    return f"{value:.1f}".removesuffix(".0")
