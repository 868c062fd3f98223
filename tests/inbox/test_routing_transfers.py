"""Reassignment across units: asked with a reason, kept until accepted, never bounced."""

import pytest
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, CaseTransfer, TransferStatus
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes


@pytest.fixture
def case(account: Account, peer: WeChatPeer) -> Case:
    return resident_writes(account, peer, "oMOVE", "隔壁单位的工地晚上一直施工，很吵")


def ask(client: Client, case: Case, unit_id: int, reason: str = "工地在二所辖区") -> int:
    """Ask for the transfer through the case page's form; return the response status."""
    url = f"/inbox/cases/{case.pk}/transfer/"
    return client.post(url, {"to_unit": unit_id, "reason": reason}).status_code


def pending(case: Case) -> CaseTransfer:
    return CaseTransfer.objects.get(case=case, status=TransferStatus.PENDING)


def actions_of(case: Case) -> list[str]:
    records = AuditRecord.objects.filter(object_id=str(case.pk), object_type="inbox.case")
    records = records.exclude(action="case.viewed")
    return list(records.order_by("sequence").values_list("action", flat=True))


def test_the_case_stays_with_the_first_unit_until_the_other_accepts(
    cast: Cast, case: Case
) -> None:
    ask(signed_in(cast.officer_a), case, cast.station_b.pk)

    case.refresh_from_db()
    assert case.unit == cast.station_a
    bo = signed_in(cast.officer_b)
    page = bo.get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "asked Unit station-b to take this case" in page
    assert "工地在二所辖区" in page
    assert bo.post(f"/inbox/cases/{case.pk}/answer/", {"text": "收到"}).status_code == 403

    bo.post(f"/inbox/cases/{case.pk}/transfers/{pending(case).pk}/accept/")

    case.refresh_from_db()
    assert case.unit == cast.station_b
    assert signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").status_code == 404
    assert actions_of(case)[-2:] == ["case.transfer_requested", "case.transfer_accepted"]


def test_a_request_without_a_reason_is_refused(cast: Cast, case: Case) -> None:
    ask(signed_in(cast.officer_a), case, cast.station_b.pk, reason="   ")

    assert not CaseTransfer.objects.exists()


def test_a_declined_case_stays_and_the_first_unit_reads_why(cast: Cast, case: Case) -> None:
    ask(signed_in(cast.officer_a), case, cast.station_b.pk)
    transfer = pending(case)

    response = signed_in(cast.officer_b).post(
        f"/inbox/cases/{case.pk}/transfers/{transfer.pk}/decline/", {"reason": "工地在一所辖区"}
    )

    assert response.status_code == 302 and response["Location"] == "/inbox/"
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (TransferStatus.DECLINED, cast.officer_b)
    case.refresh_from_db()
    assert case.unit == cast.station_a
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()
    assert "工地在一所辖区" in page
    assert "case.transfer_declined" in actions_of(case)


def test_a_decline_needs_a_reason(cast: Cast, case: Case) -> None:
    ask(signed_in(cast.officer_a), case, cast.station_b.pk)

    signed_in(cast.officer_b).post(
        f"/inbox/cases/{case.pk}/transfers/{pending(case).pk}/decline/", {"reason": ""}
    )

    assert pending(case).decided_at is None


def test_an_officer_cannot_send_a_case_back_to_the_unit_that_declined_it(
    cast: Cast, case: Case
) -> None:
    anna = signed_in(cast.officer_a)
    ask(anna, case, cast.station_b.pk)
    signed_in(cast.officer_b).post(
        f"/inbox/cases/{case.pk}/transfers/{pending(case).pk}/decline/", {"reason": "不归我们"}
    )

    ask(anna, case, cast.station_b.pk, reason="再请看看")

    assert not CaseTransfer.objects.filter(status=TransferStatus.PENDING).exists()


def test_a_leader_over_both_units_may_send_it_there_again(cast: Cast, case: Case) -> None:
    ask(signed_in(cast.officer_a), case, cast.station_b.pk)
    signed_in(cast.officer_b).post(
        f"/inbox/cases/{case.pk}/transfers/{pending(case).pk}/decline/", {"reason": "不归我们"}
    )

    ask(signed_in(cast.leader), case, cast.station_b.pk, reason="经核实，确属二所")

    assert pending(case).requested_by == cast.leader


def test_the_unit_that_took_a_case_cannot_bounce_it_back(cast: Cast, case: Case) -> None:
    ask(signed_in(cast.officer_a), case, cast.station_b.pk)
    bo = signed_in(cast.officer_b)
    bo.post(f"/inbox/cases/{case.pk}/transfers/{pending(case).pk}/accept/")

    ask(bo, case, cast.station_a.pk, reason="还是一所的")

    assert not CaseTransfer.objects.filter(status=TransferStatus.PENDING).exists()
    case.refresh_from_db()
    assert case.unit == cast.station_b


def test_only_one_unit_is_asked_at_a_time(cast: Cast, case: Case) -> None:
    anna = signed_in(cast.officer_a)
    ask(anna, case, cast.station_b.pk)

    ask(anna, case, cast.county.pk)

    assert CaseTransfer.objects.count() == 1


def test_the_asking_unit_cannot_accept_its_own_request(cast: Cast, case: Case) -> None:
    anna = signed_in(cast.officer_a)
    ask(anna, case, cast.station_b.pk)

    anna.post(f"/inbox/cases/{case.pk}/transfers/{pending(case).pk}/accept/")

    case.refresh_from_db()
    assert case.unit == cast.station_a
    assert pending(case).decided_by is None


def test_an_inspector_may_read_but_not_hand_a_case_over(cast: Cast, case: Case) -> None:
    ask(signed_in(cast.inspector), case, cast.station_b.pk)

    assert not CaseTransfer.objects.exists()


def test_outsiders_and_other_stations_get_404_for_every_transfer_page(
    cast: Cast, case: Case
) -> None:
    ask(signed_in(cast.officer_a), case, cast.county.pk)
    transfer = pending(case)

    for user in (cast.outsider, cast.officer_b):
        client = signed_in(user)
        assert ask(client, case, cast.station_b.pk) == 404
        accept = f"/inbox/cases/{case.pk}/transfers/{transfer.pk}/accept/"
        assert client.post(accept).status_code == 404
        decline = f"/inbox/cases/{case.pk}/transfers/{transfer.pk}/decline/"
        assert client.post(decline, {"reason": "x"}).status_code == 404
    assert pending(case).decided_by is None
