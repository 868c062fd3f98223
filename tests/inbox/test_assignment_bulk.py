"""Bulk actions: one change for many ticked cases, all of them or none, never a stranger's."""

import pytest
from django.test import Client

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, CaseStatus, CaseType
from tests.conftest import Cast, make_wechat_account, signed_in
from tests.inbox.helpers import resident_writes


@pytest.fixture
def cases_a(account: Account, peer: WeChatPeer) -> list[Case]:
    texts = ["小区门口的路灯坏了", "楼下夜市太吵了", "想问问居住证怎么续签"]
    return [resident_writes(account, peer, f"oBULK{n}", text) for n, text in enumerate(texts)]


@pytest.fixture
def case_b(cast: Cast, peer: WeChatPeer) -> Case:
    account_b = make_wechat_account(cast.station_b, code="station-b")
    return resident_writes(account_b, peer, "oBULKB", "河边有人钓鱼占道")


def bulk(client: Client, cases: list[Case], **data: object) -> str:
    """Post the bulk form of the inbox list; return the messages shown on the next page."""
    payload = {"cases": [case.pk for case in cases], **data}
    response = client.post("/inbox/bulk/", payload, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    return " ".join(str(message) for message in response.context["messages"])


def statuses(cases: list[Case]) -> list[str]:
    return [Case.objects.get(pk=case.pk).status for case in cases]


def test_an_officer_moves_many_cases_to_in_progress_at_once(
    cast: Cast, cases_a: list[Case]
) -> None:
    said = bulk(signed_in(cast.officer_a), cases_a[:2], action="status", status="in_progress")

    assert "2 cases were changed" in said
    assert statuses(cases_a) == [CaseStatus.IN_PROGRESS, CaseStatus.IN_PROGRESS, cases_a[2].status]


def test_an_officer_sets_the_type_and_the_assignee_of_many_cases(
    cast: Cast, cases_a: list[Case]
) -> None:
    anna = signed_in(cast.officer_a)

    bulk(anna, cases_a, action="type", case_type=CaseType.COMPLAINT)
    bulk(anna, cases_a, action="assign", assignee=cast.officer_a.pk)

    for case in cases_a:
        case.refresh_from_db()
        assert (case.case_type, case.assignee) == (CaseType.COMPLAINT, cast.officer_a)


def test_a_case_of_another_station_among_the_ids_changes_nothing(
    cast: Cast, cases_a: list[Case], case_b: Case
) -> None:
    before = statuses([*cases_a, case_b])

    said = bulk(signed_in(cast.officer_a), [*cases_a, case_b], action="status", status="waiting")

    assert "not yours to change; nothing was changed" in said
    assert statuses([*cases_a, case_b]) == before


def test_one_case_that_cannot_move_stops_the_whole_change(cast: Cast, cases_a: list[Case]) -> None:
    anna = signed_in(cast.officer_a)
    bulk(anna, cases_a[:1], action="status", status="resolved")
    bulk(anna, cases_a[:1], action="status", status="closed")

    said = bulk(anna, cases_a, action="status", status="waiting")

    assert f"Case {cases_a[0].tracking_code}:" in said
    assert "Nothing was changed." in said
    assert CaseStatus.WAITING not in statuses(cases_a)


def test_an_outsider_and_an_inspector_change_nothing(cast: Cast, cases_a: list[Case]) -> None:
    before = statuses(cases_a)

    for user in (cast.outsider, cast.inspector):
        assert "nothing was changed" in bulk(
            signed_in(user), cases_a, action="status", status="in_progress"
        )

    assert statuses(cases_a) == before


def test_a_bulk_change_needs_the_new_value(cast: Cast, cases_a: list[Case]) -> None:
    said = bulk(signed_in(cast.officer_a), cases_a, action="status", status="")

    assert "Choose the new value" in said
    assert CaseStatus.IN_PROGRESS not in statuses(cases_a)


def test_the_list_holds_still_while_cases_are_being_ticked(
    cast: Cast, cases_a: list[Case]
) -> None:
    anna = signed_in(cast.officer_a)

    selecting = anna.get("/inbox/", {"select": "1"}).content.decode()
    polling = anna.get("/inbox/").content.decode()

    assert f'name="cases" value="{cases_a[0].pk}"' in selecting
    assert 'hx-trigger="every 20s"' not in selecting
    assert 'hx-trigger="every 20s"' in polling
    assert 'name="cases"' not in polling
