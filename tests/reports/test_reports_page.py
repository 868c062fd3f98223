"""The reports page: for people who see cases, charts drawn by us, every name escaped."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.units.models import User
from tests.conftest import Cast, make_wechat_account, signed_in
from tests.reports.helpers import case_opened_at, days_ago, settle

# A <script> element with content of its own rather than a src: the CSP would refuse it.
# Sign-in and the page frame take a few; the report itself about a dozen.
QUERIES = 20
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


def report_page(user: User, query: str = "") -> str:
    response = signed_in(user).get(f"/reports/{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def rate_rows(page: str) -> list[str]:
    """Return the units named in the rows of the on-time table."""
    table = page.split('id="on-time-heading"', 1)[1]
    return re.findall(r'<th scope="row">([^<]*)</th>', table)


def seed_both_stations(cast: Cast, account: Account, peer: WeChatPeer) -> None:
    account_b = make_wechat_account(cast.station_b, code="station-b")
    on_time = case_opened_at(account, peer, "oPAGE_A", days_ago(4), "complaint")
    settle(on_time, deadline=days_ago(3), closed_at=days_ago(3, hour=8))
    late = case_opened_at(account_b, peer, "oPAGE_B", days_ago(4), "consultation")
    settle(late, deadline=days_ago(3))


def test_a_person_without_a_case_role_finds_no_reports(cast: Cast) -> None:
    assert signed_in(cast.outsider).get("/reports/").status_code == 404


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get("/reports/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_officer_without_cases_sees_that_there_is_nothing_to_count(cast: Cast) -> None:
    page = report_page(cast.officer_a)

    assert page.count("Nothing to count here yet.") == 4
    assert "<svg" not in page


def test_the_leader_sees_every_chart_with_its_numbers_beside_it(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader)

    assert page.count('<svg class="chart" role="img"') == 4
    assert page.count("<details>") == 4
    assert rate_rows(page) == ["Unit county", "Unit station-a", "Unit station-b"]
    assert "50% · 1 of 2" in page
    assert "100% · 1 of 1" in page and "0% · 0 of 1" in page
    assert (
        '<th scope="row">' + days_ago(4).date().isoformat() + "</th><td>1</td><td>1</td>" in page
    )


def test_the_page_holds_no_inline_script_or_style_for_the_csp_to_refuse(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader)

    assert not INLINE_SCRIPT.search(page)
    assert " style=" not in page and "<style" not in page


def test_a_unit_named_like_a_script_tag_is_shown_as_text(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    cast.station_a.name = '<script>alert("station")</script>'
    cast.station_a.save()
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader)

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;station&quot;)&lt;/script&gt;" in page
    assert not INLINE_SCRIPT.search(page)


def test_the_leader_can_narrow_the_report_to_one_station(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.leader, "?days=7&unit=station-b")

    assert rate_rows(page) == ["Unit station-b"]
    assert "0% · 0 of 1" in page


def test_an_officer_cannot_widen_the_report_to_a_sibling_station(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    seed_both_stations(cast, account, peer)

    page = report_page(cast.officer_a, "?unit=station-b")

    assert "That unit is not one of yours" in page
    assert rate_rows(page) == ["Unit station-a"]
    assert "100% · 1 of 1" in page and "0 of 1" not in page


def test_the_page_takes_the_same_few_queries_however_many_cases_there_are(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    client = signed_in(cast.leader)
    seed_both_stations(cast, account, peer)
    with CaptureQueriesContext(connection) as few_cases:
        assert client.get("/reports/").status_code == 200

    for number in range(6):
        case = case_opened_at(account, peer, f"oMANY{number}", days_ago(number + 1), "tip")
        settle(case, deadline=days_ago(number))
    with CaptureQueriesContext(connection) as more_cases:
        assert client.get("/reports/").status_code == 200

    assert len(more_cases) == len(few_cases) <= QUERIES


def test_the_period_list_shows_the_period_the_charts_cover(cast: Cast) -> None:
    page = report_page(cast.officer_a)
    assert '<option value="30" selected>' in page

    page = report_page(cast.officer_a, "?days=7")
    assert '<option value="7" selected>' in page
    assert f"Days from {days_ago(6).date().isoformat()} to " in page
