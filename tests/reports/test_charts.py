"""Our own SVG charts: scaled axes, escaped text, and inputs that cannot draw nonsense."""

import pytest

from beatdesk.reports.charts import (
    Chart,
    RateBar,
    RateChart,
    Series,
    fit_label,
    line_svg,
    nice_scale,
    rate_bar_svg,
    stacked_bar_svg,
)

HOSTILE = '<script>alert("x")</script> & "quotes"'


def a_chart(**changes: object) -> Chart:
    fields: dict[str, object] = {
        "chart_id": "sample",
        "title": "Cases",
        "description": "One bar per day",
        "x_label": "Day",
        "y_label": "Cases",
        "categories": ("12-01", "12-02", "12-03"),
        "series": (Series("Complaint", (1, 0, 3)), Series("Tip", (2, None, 4))),
    }
    return Chart(**{**fields, **changes})  # type: ignore[arg-type]


def test_the_axis_reaches_just_past_the_largest_value_in_round_steps() -> None:
    assert nice_scale(7, whole_numbers=True).ticks == (0, 2, 4, 6, 8)
    assert nice_scale(1, whole_numbers=True).ticks == (0, 1)
    assert nice_scale(0.9, whole_numbers=False).ticks == (0, 0.5, 1)
    assert nice_scale(13, whole_numbers=False).ticks == (0, 5, 10, 15)
    assert nice_scale(0, whole_numbers=True).top == 1


def test_a_stacked_bar_chart_draws_one_rectangle_per_value_above_zero() -> None:
    svg = stacked_bar_svg(a_chart())

    assert svg.count("<rect ") == 4
    assert 'aria-labelledby="sample-title sample-desc"' in svg
    assert ">7</text>" not in svg and ">8</text>" in svg


def test_a_missing_value_breaks_the_line_instead_of_dropping_to_zero() -> None:
    svg = line_svg(a_chart())

    # The first series is drawn whole; the second only as two lone points.
    assert svg.count("<polyline ") == 1
    assert svg.count("<circle ") == 5


def test_every_text_in_a_chart_is_escaped() -> None:
    chart = a_chart(title=HOSTILE, x_label=HOSTILE, categories=(HOSTILE, "b", "c"))
    rates = RateChart("rates", HOSTILE, HOSTILE, HOSTILE, (RateBar(HOSTILE, 0.5, HOSTILE),))

    for svg in (stacked_bar_svg(chart), line_svg(chart), rate_bar_svg(rates)):
        assert "<script" not in svg
        assert "&lt;script&gt;" in svg
        assert ' style="' not in svg


def test_a_long_name_is_cut_to_fit_and_says_so() -> None:
    assert fit_label("文澜派出所", 100) == "文澜派出所"
    cut = fit_label("杭州市公安局西湖分局文澜派出所社区警务室", 100)
    assert cut.endswith("…") and len(cut) < 10


def test_it_refuses_a_series_that_does_not_match_the_categories() -> None:
    with pytest.raises(ValueError, match="does not match"):
        a_chart(series=(Series("Complaint", (1, 2)),))


def test_it_refuses_a_chart_id_that_could_break_out_of_an_attribute() -> None:
    with pytest.raises(ValueError, match="plain lowercase"):
        a_chart(chart_id='x" onload="alert(1)')
