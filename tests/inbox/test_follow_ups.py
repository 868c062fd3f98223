"""Disputes are mediated and followed up on record, and close only once that record exists."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.actions import do_set_case_type
from beatdesk.inbox.models import Case, CaseStatus, FollowUp
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

NEIGHBOURS = "楼上邻居每天半夜在家里剁东西，说了好几次也不听，我们两家吵起来了"
PHONE = "13912345678"


@pytest.fixture
def dispute(cast: Cast, account: Account, peer: WeChatPeer, fake_wechat: FakeWeChatAPI) -> Case:
    fake_wechat.note_user_message("oNEIGHBOUR")
    case = resident_writes(account, peer, "oNEIGHBOUR", NEIGHBOURS)
    return do_set_case_type(case, cast.officer_a, "dispute")


def today() -> str:
    return timezone.localdate().isoformat()


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def record_follow_up(client: Client, case: Case, **changes: str) -> int:
    form = {
        "kind": "mediation",
        "outcome": "agreed",
        "happened_on": today(),
        "note": f"两家当面调解，约定晚十点后不再剁馅；楼上住户电话 {PHONE}",
        "next_on": in_days(14),
    } | changes
    response = client.post(f"/inbox/cases/{case.pk}/follow-ups/", form)
    assert response.status_code == 302
    return FollowUp.objects.filter(case=case).count()


def test_an_officer_records_a_mediation_and_sees_it_on_the_case_with_the_phone_masked(
    cast: Cast, dispute: Case
) -> None:
    anna = signed_in(cast.officer_a)

    assert record_follow_up(anna, dispute) == 1

    page = anna.get(f"/inbox/cases/{dispute.pk}/").content.decode()
    assert "约定晚十点后不再剁馅" in page
    assert PHONE not in page
    assert "139" in page  # the masked number keeps its shape
    assert f'datetime="{today()}"' in page and in_days(14) in page
    assert f'action="/inbox/cases/{dispute.pk}/follow-ups/"' in page


def test_the_audit_record_keeps_the_kind_and_outcome_but_never_the_note(
    cast: Cast, dispute: Case
) -> None:
    record_follow_up(signed_in(cast.officer_a), dispute)

    [audit] = AuditRecord.objects.filter(action="case.follow_up")
    assert audit.actor == cast.officer_a
    assert audit.details == {"kind": "mediation", "outcome": "agreed", "next_planned": True}


def test_a_dispute_does_not_close_before_its_mediation_is_on_record(
    cast: Cast, dispute: Case
) -> None:
    anna = signed_in(cast.officer_a)

    anna.post(f"/inbox/cases/{dispute.pk}/status/", {"status": "resolved"})
    anna.post(f"/inbox/cases/{dispute.pk}/answer/", {"text": "已调解完毕。", "resolve": "on"})

    dispute.refresh_from_db()
    assert dispute.status != CaseStatus.RESOLVED
    assert not dispute.messages.filter(direction="out", author=cast.officer_a).exists()

    record_follow_up(anna, dispute)
    anna.post(f"/inbox/cases/{dispute.pk}/status/", {"status": "resolved"})
    dispute.refresh_from_db()
    assert dispute.status == CaseStatus.RESOLVED


def test_other_types_close_as_before(cast: Cast, account: Account, peer: WeChatPeer) -> None:
    case = resident_writes(account, peer, "oCONSULT", "办理居住证需要带什么材料？")
    do_set_case_type(case, cast.officer_a, "consultation")

    signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/status/", {"status": "resolved"})

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


@pytest.mark.parametrize(
    "changes",
    [
        {"happened_on": in_days(1)},  # not yet happened
        {"happened_on": "2001-01-01"},  # before the case
        {"next_on": today()},  # next must come after this one
        {"next_on": in_days(400)},  # a typing mistake
        {"note": "   "},
        {"kind": "party"},
        {"outcome": "won"},
        {"happened_on": "yesterday"},
    ],
)
def test_a_follow_up_that_makes_no_sense_is_refused_and_stores_nothing(
    cast: Cast, dispute: Case, changes: dict[str, str]
) -> None:
    assert record_follow_up(signed_in(cast.officer_a), dispute, **changes) == 0
    assert not AuditRecord.objects.filter(action="case.follow_up").exists()


def test_follow_ups_are_for_disputes_only(cast: Cast, account: Account, peer: WeChatPeer) -> None:
    case = resident_writes(account, peer, "oCONSULT", "办理居住证需要带什么材料？")
    do_set_case_type(case, cast.officer_a, "consultation")

    assert record_follow_up(signed_in(cast.officer_a), case) == 0


def test_an_inspector_reads_follow_ups_but_records_none(cast: Cast, dispute: Case) -> None:
    record_follow_up(signed_in(cast.officer_a), dispute)
    inspector = signed_in(cast.inspector)

    refused = inspector.post(
        f"/inbox/cases/{dispute.pk}/follow-ups/",
        {"kind": "visit", "outcome": "holding", "happened_on": today(), "note": "看过了"},
    )
    assert refused.status_code == 403
    assert FollowUp.objects.filter(case=dispute).count() == 1
    page = inspector.get(f"/inbox/cases/{dispute.pk}/").content.decode()
    assert "约定晚十点后不再剁馅" in page
    assert f'action="/inbox/cases/{dispute.pk}/follow-ups/"' not in page


def test_another_stations_officer_finds_no_such_case(cast: Cast, dispute: Case) -> None:
    response = signed_in(cast.officer_b).post(
        f"/inbox/cases/{dispute.pk}/follow-ups/",
        {"kind": "visit", "outcome": "holding", "happened_on": today(), "note": "看过了"},
    )

    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_the_follow_up_list_shows_what_is_due_in_the_users_units_only(
    cast: Cast, dispute: Case
) -> None:
    anna = signed_in(cast.officer_a)
    record_follow_up(anna, dispute, next_on=in_days(3))

    listed = anna.get("/inbox/follow-ups/").content.decode()
    assert f"#{dispute.pk} {dispute.tracking_code}" in listed
    assert in_days(3) in listed
    other = signed_in(cast.officer_b).get("/inbox/follow-ups/").content.decode()
    assert dispute.tracking_code not in other
    assert other.count('<p class="empty">') == 2


def test_a_later_visit_replaces_the_plan_made_at_the_earlier_one(
    cast: Cast, dispute: Case
) -> None:
    anna = signed_in(cast.officer_a)
    record_follow_up(anna, dispute, next_on=in_days(2))
    record_follow_up(
        anna, dispute, kind="visit", outcome="holding", note="回访：双方相安无事", next_on=""
    )

    listed = anna.get("/inbox/follow-ups/").content.decode()
    assert dispute.tracking_code not in listed
    assert listed.count('<p class="empty">') == 2


def test_the_note_is_stored_encrypted(cast: Cast, dispute: Case) -> None:
    record_follow_up(signed_in(cast.officer_a), dispute)

    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM inbox_followup")
        [(stored,)] = cursor.fetchall()
    assert PHONE not in stored and "剁馅" not in stored
    assert PHONE in FollowUp.objects.get().note
