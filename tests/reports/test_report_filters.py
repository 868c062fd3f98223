"""The report's filters each stand alone: a bad one is refused by name, the good one kept.

A reader who mistypes the period still gets the unit they chose, and the other way round;
each list then shows what the charts really cover, and the refused filter says so beside it.
"""

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from tests.conftest import Cast
from tests.reports.helpers import days_ago
from tests.reports.test_reports_page import rate_rows, report_page, seed_both_stations

BAD_PERIOD = "That period is not in the list; the report shows the last 30 days instead."
BAD_UNIT = "That unit is not one of yours; the report shows all your units instead."


def test_a_bad_period_keeps_the_chosen_unit_and_says_which_period_is_shown(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader, "?days=31&unit=station-b")

    assert rate_rows(page) == ["Unit station-b"]
    assert BAD_PERIOD in page and BAD_UNIT not in page
    assert '<option value="30" selected>' in page
    assert '<option value="station-b" selected>' in page
    assert f"Days from {days_ago(29).date().isoformat()} to " in page


def test_a_bad_unit_keeps_the_chosen_period_and_shows_all_the_readers_units(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader, "?days=7&unit=no-such-unit")

    assert sorted(rate_rows(page)) == ["Unit county", "Unit station-a", "Unit station-b"]
    assert BAD_UNIT in page and BAD_PERIOD not in page
    assert '<option value="7" selected>' in page
    assert '<option value="" selected>' in page
    assert f"Days from {days_ago(6).date().isoformat()} to " in page


def test_a_unit_outside_the_readers_units_reads_like_one_that_does_not_exist(
    cast: Cast,
) -> None:
    beside = report_page(cast.officer_a, "?days=7&unit=station-b")
    missing = report_page(cast.officer_a, "?days=7&unit=nowhere")

    assert BAD_UNIT in beside and BAD_UNIT in missing
    assert "Unit station-b" not in beside
    assert '<option value="7" selected>' in beside


def test_two_bad_filters_each_get_their_own_message(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader, "?days=seven&unit=%3Cscript%3E")

    assert BAD_PERIOD in page and BAD_UNIT in page
    assert "<script>" not in page
    assert sorted(rate_rows(page)) == ["Unit county", "Unit station-a", "Unit station-b"]


def test_good_filters_bring_no_message(cast: Cast, account: Account, peer: WeChatPeer) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader, "?days=90&unit=station-a")

    assert BAD_PERIOD not in page and BAD_UNIT not in page
    assert 'class="errorlist' not in page
    assert rate_rows(page) == ["Unit station-a"]
