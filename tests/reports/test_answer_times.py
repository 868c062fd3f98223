"""Answer times run from the resident's first message to the first answer by a person."""

from datetime import timedelta

from django.utils import timezone

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.reports.access import access_report_scope
from beatdesk.reports.figures import WeekOfAnswers, nearest_rank, week_start, weekly_answer_times
from tests.conftest import Cast
from tests.reports.helpers import automatic_answer_at, case_opened_at, days_ago, officer_answers_at


def last_week_of(cast: Cast) -> WeekOfAnswers:
    weeks = weekly_answer_times(access_report_scope(cast.leader).cases, timezone.now())
    assert len(weeks) == 12
    assert weeks[-1].week_start == week_start(timezone.localtime(timezone.now()).date())
    return weeks[-2]


def test_it_gives_the_median_and_90th_percentile_of_a_weeks_first_answers(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    monday = days_ago(7 + timezone.localtime(timezone.now()).weekday(), hour=9)
    for number, hours in enumerate([2, 10, 4, 1, 3]):
        case = case_opened_at(account, peer, f"oWAIT{number}", monday, "complaint")
        officer_answers_at(case, cast.officer_a, monday + timedelta(hours=hours))
    case_opened_at(account, peer, "oNOBODY", monday, "complaint")

    week = last_week_of(cast)

    assert week.week_start == monday.date()
    assert sorted(week.hours) == [1, 2, 3, 4, 10]
    assert week.median == 3
    assert week.ninetieth == 10
    assert week.unanswered == 1


def test_an_automatic_answer_does_not_count_as_an_answer_by_a_person(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    tuesday = days_ago(6 + timezone.localtime(timezone.now()).weekday(), hour=9)
    case = case_opened_at(account, peer, "oAUTO", tuesday, "consultation")
    automatic_answer_at(case, tuesday + timedelta(minutes=1))
    officer_answers_at(case, cast.officer_a, tuesday + timedelta(hours=5, minutes=30))

    assert last_week_of(cast).hours == (5.5,)


def test_a_week_without_cases_has_no_times_rather_than_zero(cast: Cast) -> None:
    week = last_week_of(cast)

    assert week.hours == ()
    assert week.median is None and week.ninetieth is None


def test_the_nearest_rank_percentile_is_always_an_observed_value() -> None:
    values = [float(n) for n in range(1, 11)]

    assert nearest_rank(values, 0.5) == 5
    assert nearest_rank(values, 0.9) == 9
    assert nearest_rank([7.0], 0.9) == 7
    assert nearest_rank([], 0.5) is None
