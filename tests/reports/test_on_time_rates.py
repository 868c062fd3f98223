"""On-time rates by unit are counted honestly: a rotting backlog pulls the rate down."""

from datetime import datetime, timedelta

from django.utils import timezone

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import CasePause, CaseStatus
from beatdesk.reports.access import access_report_scope
from beatdesk.reports.figures import UnitRate, local_days, local_midnight, on_time_rates
from beatdesk.units.models import User
from tests.conftest import Cast, make_wechat_account
from tests.reports.helpers import case_opened_at, days_ago, settle


def rates_for(user: User, days: int = 30) -> dict[str, UnitRate]:
    scope = access_report_scope(user)
    now = timezone.now()
    since = local_midnight(local_days(now, days)[0])
    rates = on_time_rates(scope.cases, scope.rate_rows(), since, now)
    return {rate.unit.code: rate for rate in rates}


def due_and_closed(opened: datetime, *, late: bool) -> tuple[datetime, datetime]:
    deadline = opened + timedelta(days=1)
    return deadline, deadline + timedelta(hours=3 if late else -3)


def test_a_rotting_backlog_pulls_the_rate_down(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    for number in range(2):
        case = case_opened_at(account, peer, f"oDONE{number}", days_ago(10), "complaint")
        settle(case, *due_and_closed(days_ago(10), late=False))
    for number in range(8):
        case = case_opened_at(account, peer, f"oROT{number}", days_ago(10), "complaint")
        settle(case, deadline=days_ago(9))

    rate = rates_for(cast.officer_a)["station-a"].rate

    assert (rate.on_time, rate.closed_late, rate.open_overdue) == (2, 0, 8)
    assert rate.rate == 0.2


def test_an_old_overdue_case_stays_counted_whatever_the_period(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = case_opened_at(account, peer, "oANCIENT", days_ago(100), "complaint")
    settle(case, deadline=days_ago(93))
    closed = case_opened_at(account, peer, "oCLOSEDOLD", days_ago(100), "complaint")
    settle(closed, *due_and_closed(days_ago(100), late=False))

    rate = rates_for(cast.officer_a, days=7)["station-a"].rate

    assert (rate.on_time, rate.closed_late, rate.open_overdue) == (0, 0, 1)


def test_cases_still_within_their_deadline_or_without_one_are_left_out(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    fresh = case_opened_at(account, peer, "oFRESH", days_ago(1), "complaint")
    settle(fresh, deadline=timezone.now() + timedelta(days=3))
    case_opened_at(account, peer, "oCHAT", days_ago(1), "chat")

    rate = rates_for(cast.officer_a)["station-a"].rate

    assert rate.counted == 0
    assert rate.rate is None


def test_waiting_since_before_the_deadline_is_not_overdue_but_waiting_after_it_is(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    in_time = case_opened_at(account, peer, "oASKED", days_ago(5), "complaint")
    settle(in_time, deadline=days_ago(4), status=CaseStatus.WAITING)
    CasePause.objects.create(case=in_time, started_at=days_ago(5, hour=11))
    too_late = case_opened_at(account, peer, "oASKEDLATE", days_ago(5), "complaint")
    settle(too_late, deadline=days_ago(4), status=CaseStatus.WAITING)
    CasePause.objects.create(case=too_late, started_at=days_ago(3))

    rate = rates_for(cast.officer_a)["station-a"].rate

    assert (rate.on_time, rate.closed_late, rate.open_overdue) == (0, 0, 1)


def test_the_leader_gets_the_county_and_each_station_with_its_own_numbers(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    account_b = make_wechat_account(cast.station_b, code="station-b")
    on_time = case_opened_at(account, peer, "oA1", days_ago(6), "complaint")
    settle(on_time, *due_and_closed(days_ago(6), late=False))
    late = case_opened_at(account_b, peer, "oB1", days_ago(6), "complaint")
    settle(late, *due_and_closed(days_ago(6), late=True))

    rates = rates_for(cast.leader)

    assert list(rates) == ["county", "station-a", "station-b"]
    assert rates["county"].is_top and not rates["station-a"].is_top
    assert (rates["county"].rate.on_time, rates["county"].rate.closed_late) == (1, 1)
    assert (rates["station-a"].rate.on_time, rates["station-a"].rate.closed_late) == (1, 0)
    assert (rates["station-b"].rate.on_time, rates["station-b"].rate.closed_late) == (0, 1)
    assert list(rates_for(cast.officer_b)) == ["station-b"]
    assert rates_for(cast.officer_b)["station-b"].rate.on_time == 0
