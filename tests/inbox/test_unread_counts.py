"""Each inbox list counts the cases holding a resident's message the user has not read."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.actions import do_assign_case
from beatdesk.inbox.models import Case
from beatdesk.inbox.unread import unread_counts
from beatdesk.units.models import User
from tests.conftest import Cast, make_wechat_account, signed_in
from tests.inbox.helpers import resident_writes

NOISE = "你好，楼上每天半夜装修，吵得睡不着，能管吗？"
AGAIN = "今晚又开始了，已经十二点了。"
NOTHING_UNREAD = {"mine": 0, "unassigned": 0, "open": 0, "overdue": 0, "all": 0}


@pytest.fixture
def case(account: Account, peer: WeChatPeer) -> Case:
    return resident_writes(account, peer, "oNOISE", NOISE)


def counts(user: User) -> dict[str, int]:
    return unread_counts(user, timezone.now())


def open_case(user: User, case: Case) -> None:
    assert signed_in(user).get(f"/inbox/cases/{case.pk}/").status_code == 200


def test_a_new_case_is_unread_until_the_officer_opens_it(cast: Cast, case: Case) -> None:
    assert counts(cast.officer_a) == {
        "mine": 0,
        "unassigned": 1,
        "open": 1,
        "overdue": 0,
        "all": 1,
    }

    open_case(cast.officer_a, case)

    assert counts(cast.officer_a) == NOTHING_UNREAD


def test_the_case_is_unread_again_when_the_resident_writes_after_the_officer_read_it(
    cast: Cast, case: Case, account: Account, peer: WeChatPeer
) -> None:
    open_case(cast.officer_a, case)

    resident_writes(account, peer, "oNOISE", AGAIN)

    assert counts(cast.officer_a)["open"] == 1
    open_case(cast.officer_a, case)
    assert counts(cast.officer_a)["open"] == 0


def test_the_officers_own_answer_does_not_make_the_case_unread(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    fake_wechat.note_user_message("oNOISE")
    open_case(cast.officer_a, case)

    answered = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/answer/", {"text": "您好，我们已联系物业，今晚会有人上门提醒。"}
    )

    assert answered.status_code == 302
    assert case.messages.filter(direction="out", author=cast.officer_a).exists()
    assert counts(cast.officer_a) == NOTHING_UNREAD


def test_another_officers_reading_does_not_count_as_the_leaders(cast: Cast, case: Case) -> None:
    open_case(cast.officer_a, case)

    assert counts(cast.officer_a)["open"] == 0
    assert counts(cast.leader)["open"] == 1


def test_cases_outside_the_users_units_are_never_counted(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    station_b_account = make_wechat_account(cast.station_b, code="station-b")
    resident_writes(station_b_account, peer, "oELSEWHERE", NOISE)
    resident_writes(account, peer, "oNOISE", NOISE)

    assert counts(cast.officer_a)["all"] == 1
    assert counts(cast.officer_b)["all"] == 1
    assert counts(cast.leader)["all"] == 2
    assert counts(cast.outsider) == NOTHING_UNREAD


def test_each_named_list_counts_only_its_own_cases(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    mine = resident_writes(account, peer, "oMINE", NOISE)
    late = resident_writes(account, peer, "oLATE", AGAIN)
    do_assign_case(mine, cast.officer_a, cast.officer_a)
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))

    assert counts(cast.officer_a) == {
        "mine": 1,
        "unassigned": 1,
        "open": 2,
        "overdue": 1,
        "all": 2,
    }


def test_the_list_marks_an_unread_case_in_words_and_shows_the_count(
    cast: Cast, case: Case
) -> None:
    page = signed_in(cast.officer_a).get("/inbox/?list=unassigned").content.decode()

    assert 'class="case priority-0 unread"' in page
    assert 'class="unread-mark"' in page
    assert 'class="unread-count"' in page
    assert 'href="?list=unassigned" aria-current="page"' in page

    open_case(cast.officer_a, case)
    page = signed_in(cast.officer_a).get("/inbox/?list=unassigned").content.decode()
    assert case.tracking_code in page
    assert 'class="unread-mark"' not in page
    assert 'class="unread-count"' not in page


def test_a_poll_of_the_list_brings_the_new_counts(
    cast: Cast, case: Case, account: Account, peer: WeChatPeer
) -> None:
    open_case(cast.officer_a, case)
    resident_writes(account, peer, "oNOISE", AGAIN)

    poll = signed_in(cast.officer_a).get(
        "/inbox/", headers={"HX-Request": "true", "X-Beatdesk-Poll": "1"}
    )

    fragment = poll.content.decode()
    assert fragment.lstrip().startswith('<div id="case-list"')
    assert 'class="unread-count"' in fragment
    assert "<html" not in fragment


def test_an_unknown_list_name_shows_the_open_cases(cast: Cast, case: Case) -> None:
    page = signed_in(cast.officer_a).get("/inbox/?list=nonsense").content.decode()

    assert case.tracking_code in page
    assert 'href="?list=open" aria-current="page"' in page


def test_counting_takes_the_same_few_queries_however_many_cases_there_are(
    cast: Cast,
    account: Account,
    peer: WeChatPeer,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    resident_writes(account, peer, "oFIRST", NOISE)
    with CaptureQueriesContext(connection) as one_case:
        signed_in(cast.officer_a).get("/inbox/")
    for number in range(5):
        resident_writes(account, peer, f"oMORE{number}", NOISE)

    with CaptureQueriesContext(connection) as six_cases:
        signed_in(cast.officer_a).get("/inbox/")
    with django_assert_max_num_queries(2):
        assert counts(cast.officer_a)["open"] == 6

    assert len(six_cases.captured_queries) == len(one_case.captured_queries)
