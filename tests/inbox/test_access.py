"""Nobody sees a case outside their units: lists leave it out, pages answer 404."""

import pytest

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.access import cases_for
from tests.conftest import Cast, make_wechat_account, signed_in
from tests.inbox.helpers import resident_writes


@pytest.fixture
def case_pair(cast: Cast, account: Account, peer: WeChatPeer) -> tuple[int, int]:
    account_b = make_wechat_account(cast.station_b, code="station-b")
    case_a = resident_writes(account, peer, "oFAKE_A", "我家门口有人乱停车")
    case_b = resident_writes(account_b, peer, "oFAKE_B", "请问办护照要什么")
    return case_a.pk, case_b.pk


def test_it_lists_only_the_cases_of_the_officers_own_station(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    case_a, case_b = case_pair

    assert list(cases_for(cast.officer_a).values_list("pk", flat=True)) == [case_a]
    assert list(cases_for(cast.officer_b).values_list("pk", flat=True)) == [case_b]


def test_it_lets_the_county_leader_and_the_city_inspector_see_both_stations(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    assert set(cases_for(cast.leader).values_list("pk", flat=True)) == set(case_pair)
    assert set(cases_for(cast.inspector).values_list("pk", flat=True)) == set(case_pair)


def test_it_shows_an_outsider_nothing(cast: Cast, case_pair: tuple[int, int]) -> None:
    assert not cases_for(cast.outsider).exists()


def test_it_answers_404_when_an_officer_opens_another_stations_case(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    case_a, _case_b = case_pair
    client = signed_in(cast.officer_b)

    assert client.get(f"/inbox/cases/{case_a}/").status_code == 404
    assert client.post(f"/inbox/cases/{case_a}/answer/", {"text": "hi"}).status_code == 404
    assert client.post(f"/inbox/cases/{case_a}/status/", {"status": "resolved"}).status_code == 404


def test_it_keeps_another_stations_case_out_of_the_inbox_page(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    page = signed_in(cast.officer_b).get("/inbox/").content.decode()

    assert "我家门口" not in page
    from beatdesk.inbox.models import Case

    assert Case.objects.get(pk=case_pair[0]).tracking_code not in page
    assert Case.objects.get(pk=case_pair[1]).tracking_code in page


def test_it_lets_an_inspector_read_a_case_but_not_answer_it(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    client = signed_in(cast.inspector)

    assert client.get(f"/inbox/cases/{case_pair[0]}/").status_code == 200
    response = client.post(
        f"/inbox/cases/{case_pair[0]}/answer/", {"text": "你好"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert "You may read this case but not change it." in response.content.decode()
    from beatdesk.channels.models import OutboxMessage

    assert not OutboxMessage.objects.filter(message__isnull=False).exists()


def test_an_inspector_is_refused_with_403_before_the_form_is_read(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    client = signed_in(cast.inspector)

    response = client.post(f"/inbox/cases/{case_pair[0]}/status/", {"status": "no-such-status"})

    assert response.status_code == 403
    assert "<code>forbidden</code>" in response.content.decode()


def test_an_htmx_request_refused_in_sight_gets_only_the_reason(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    client = signed_in(cast.inspector)

    response = client.post(
        f"/inbox/cases/{case_pair[0]}/assign/",
        {"assignee": str(cast.inspector.pk)},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = response.content.decode()
    assert response.status_code == 403
    assert page.startswith('<p class="error" role="alert" data-error-code="forbidden">')
    assert "You may read this case but not change it." in page
    assert "<html" not in page


def test_an_officer_who_may_answer_still_gets_400_for_an_empty_answer(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    client = signed_in(cast.officer_a)

    response = client.post(
        f"/inbox/cases/{case_pair[0]}/answer/", {"text": "   "}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_it_sends_an_anonymous_visitor_to_the_sign_in_page(case_pair: tuple[int, int]) -> None:
    from django.test import Client

    response = Client().get(f"/inbox/cases/{case_pair[0]}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_inbox_poll_returns_only_the_list_and_still_only_the_officers_cases(
    cast: Cast, case_pair: tuple[int, int]
) -> None:
    case_a, case_b = case_pair

    response = signed_in(cast.officer_a).get("/inbox/", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="case-list"')
    assert "<html" not in body
    assert f"/inbox/cases/{case_a}/" in body
    assert f"/inbox/cases/{case_b}/" not in body
