"""Cases and messages are counted per Beijing day, by type, and only in the reader's units."""

from datetime import date

from django.utils import timezone, translation

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.actions import do_request_transfer
from beatdesk.reports.access import access_report_scope
from beatdesk.reports.figures import (
    DailyCounts,
    daily_case_volume,
    daily_message_volume,
    local_days,
)
from beatdesk.reports.presentation import case_volume_chart
from beatdesk.units.models import User
from tests.conftest import Cast, make_wechat_account
from tests.reports.helpers import (
    case_opened_at,
    days_ago,
    officer_answers_at,
)


def volume_for(user: User) -> dict[tuple[date, str], int]:
    days = local_days(timezone.now(), 30)
    return daily_case_volume(access_report_scope(user).cases, days).counts


def test_it_counts_each_days_new_cases_by_type(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case_opened_at(account, peer, "oVOL1", days_ago(3), "complaint")
    case_opened_at(account, peer, "oVOL2", days_ago(3, hour=16), "complaint")
    case_opened_at(account, peer, "oVOL3", days_ago(3), "consultation")
    case_opened_at(account, peer, "oVOL4", days_ago(1), "tip")

    counts = volume_for(cast.leader)

    three_days_ago, yesterday = days_ago(3).date(), days_ago(1).date()
    assert counts == {
        (three_days_ago, "complaint"): 2,
        (three_days_ago, "consultation"): 1,
        (yesterday, "tip"): 1,
    }


def test_a_case_opened_just_after_midnight_in_beijing_counts_on_that_beijing_day(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    # 00:30 in Beijing is 16:30 of the day before in UTC.
    opened = days_ago(2, hour=0).replace(minute=30)
    case_opened_at(account, peer, "oMIDNIGHT", opened, "help")

    assert volume_for(cast.leader) == {(opened.date(), "help"): 1}


def test_it_leaves_out_cases_older_than_the_period(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case_opened_at(account, peer, "oOLD", days_ago(45), "complaint")

    assert volume_for(cast.leader) == {}


def test_a_station_never_counts_its_sibling_stations_cases(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    account_b = make_wechat_account(cast.station_b, code="station-b")
    case_opened_at(account, peer, "oMINE", days_ago(1), "complaint")
    offered = case_opened_at(account_b, peer, "oSIBLING", days_ago(1), "complaint")
    # Station B offers its case to station A: A may read it to decide, but it stays B's.
    do_request_transfer(offered, cast.officer_b, cast.station_a, "住址在文澜辖区")

    yesterday = days_ago(1).date()
    assert volume_for(cast.officer_a) == {(yesterday, "complaint"): 1}
    assert volume_for(cast.officer_b) == {(yesterday, "complaint"): 1}
    assert volume_for(cast.leader) == {(yesterday, "complaint"): 2}


def test_it_counts_messages_from_residents_officers_and_automatic_answers_apart(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    # The endpoint answers the resident's message at once with an automatic receipt.
    case = case_opened_at(account, peer, "oTALK", days_ago(2, hour=9), "complaint")
    officer_answers_at(case, cast.officer_a, days_ago(1, hour=11))

    days = local_days(timezone.now(), 30)
    counts = daily_message_volume(access_report_scope(cast.leader).cases, days).counts

    assert counts == {
        (days_ago(2).date(), "resident"): 1,
        (days_ago(2).date(), "automatic"): 1,
        (days_ago(1).date(), "person"): 1,
    }


def test_the_five_most_frequent_types_get_a_colour_each_and_the_rest_share_one() -> None:
    day = date(2026, 12, 1)
    sizes = {"complaint": 9, "tip": 8, "help": 7, "consultation": 6, "dispute": 5}
    counts = {(day, key): size for key, size in sizes.items()} | {
        (day, "praise"): 2,
        (day, "spam"): 1,
    }

    with translation.override("en"):
        chart = case_volume_chart(DailyCounts(days=(day,), counts=counts))

    assert [entry.name for entry in chart.legend] == [
        "Complaint",
        "Tip",
        "Help request",
        "Consultation",
        "Dispute needing mediation",
        "Other types",
    ]
    assert chart.table.rows == (("2026-12-01", "9", "8", "7", "6", "5", "3"),)
