"""Listen, verify, then answer: a tip or help request gets its final answer once checked.

Until an officer records how the case was checked and what was found, the answer box
takes interim answers only; afterwards a warm answer telling the outcome in general terms
is offered, and it goes through the checker and the outbox like any answer.
"""

import pytest
from django.test import Client
from django.utils.html import escape

from beatdesk.audit.models import AuditRecord
from beatdesk.channels import outbox
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, CaseStatus, Direction, Message, Verification
from beatdesk.inbox.verification import interim_answer, outcome_answer
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

pytestmark = pytest.mark.django_db

TIPSTER = "oFAKE_VERIFY_TIP"
CHECKED = {"method": "call_back", "outcome": "confirmed", "note": "回电核实"}


@pytest.fixture
def tip(cast: Cast, account: Account, peer: WeChatPeer, fake_wechat: FakeWeChatAPI) -> Case:
    fake_wechat.note_user_message(TIPSTER)
    case = resident_writes(account, peer, TIPSTER, "我要举报，幸福小区5栋地下室晚上有人聚众赌博。")
    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/type/", {"case_type": "tip"}
    )
    assert response.status_code == 302
    # The automatic answer with the tracking code goes out first; the tests follow it.
    outbox.relay_due()
    case.refresh_from_db()
    return case


def officer_answers(fake_wechat: FakeWeChatAPI) -> list[str]:
    return fake_wechat.sent_texts(TIPSTER)[1:]


def verify(client: Client, case: Case, **fields: str) -> None:
    response = client.post(f"/inbox/cases/{case.pk}/verify/", CHECKED | fields)
    assert response.status_code == 302


def officer_messages(case: Case) -> list[Message]:
    return list(case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False))


def test_an_officer_cannot_give_a_final_answer_to_an_unverified_tip(cast: Cast, tip: Case) -> None:
    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{tip.pk}/answer/",
        {"text": "感谢您的举报，已处理完毕。", "resolve": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "has not been verified yet" in response.content.decode()
    assert officer_messages(tip) == []
    tip.refresh_from_db()
    assert tip.status != CaseStatus.RESOLVED


def test_an_interim_answer_is_sent_before_verification_and_kept_as_interim(
    cast: Cast, tip: Case, fake_wechat: FakeWeChatAPI
) -> None:
    anna = signed_in(cast.officer_a)
    page = anna.get(f"/inbox/cases/{tip.pk}/").content.decode()
    assert escape(interim_answer()) in page

    response = anna.post(f"/inbox/cases/{tip.pk}/answer/", {"text": interim_answer()})
    outbox.relay_due()

    assert response.status_code == 302
    [message] = officer_messages(tip)
    assert message.is_interim
    answered = AuditRecord.objects.get(action="case.answered")
    assert answered.details["interim"] is True
    assert officer_answers(fake_wechat) == [interim_answer()]
    later = anna.get(f"/inbox/cases/{tip.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "interim answer" in later


def test_a_tip_cannot_be_resolved_through_its_status_before_verification(
    cast: Cast, tip: Case
) -> None:
    anna = signed_in(cast.officer_a)

    anna.post(f"/inbox/cases/{tip.pk}/status/", {"status": "resolved"})
    bulk = {"cases": [str(tip.pk)], "action": "status", "status": "resolved"}
    anna.post("/inbox/bulk/", bulk)

    tip.refresh_from_db()
    assert tip.status != CaseStatus.RESOLVED


def test_the_verification_is_recorded_with_who_how_and_what_and_audited_in_codes(
    cast: Cast, tip: Case
) -> None:
    verify(signed_in(cast.officer_a), tip, outcome="department", department="市场监管局")

    verification = Verification.objects.get(case=tip)
    assert (verification.verified_by, verification.method) == (cast.officer_a, "call_back")
    assert (verification.outcome, verification.department) == ("department", "市场监管局")
    [entry] = AuditRecord.objects.filter(action="case.verified")
    assert entry.actor == cast.officer_a
    assert entry.details == {
        "verification": verification.pk,
        "method": "call_back",
        "outcome": "department",
    }


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"method": "other", "note": ""}, "Describe in the note"),
        ({"outcome": "department", "department": "  "}, "Name the department"),
        ({"outcome": "criminal_case", "criminal_case_number": ""}, "criminal case number"),
        ({"outcome": "criminal_case", "criminal_case_number": "A1<script>"}, "case number"),
        ({"outcome": "guessed"}, "Choose how the case was checked and what was found"),
    ],
)
def test_an_incomplete_verification_is_refused_with_the_reason_and_changes_nothing(
    cast: Cast, tip: Case, fields: dict[str, str], problem: str
) -> None:
    anna = signed_in(cast.officer_a)

    response = anna.post(
        f"/inbox/cases/{tip.pk}/verify/",
        CHECKED | fields,
        follow=True,
        headers={"Accept-Language": "en"},
    )

    assert problem in response.content.decode()
    assert not Verification.objects.exists()
    assert not AuditRecord.objects.filter(action="case.verified").exists()


def test_after_verification_the_outcome_answer_reaches_the_resident_and_resolves_the_case(
    cast: Cast, tip: Case, fake_wechat: FakeWeChatAPI
) -> None:
    anna = signed_in(cast.officer_a)
    verify(anna, tip)
    suggestion = outcome_answer(Verification.objects.get())
    assert escape(suggestion) in anna.get(f"/inbox/cases/{tip.pk}/").content.decode()

    response = anna.post(f"/inbox/cases/{tip.pk}/answer/", {"text": suggestion, "resolve": "on"})
    outbox.relay_due()

    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.status == CaseStatus.RESOLVED
    [message] = officer_messages(tip)
    assert not message.is_interim
    # A closing answer in a private chat also invites the resident to rate it.
    [sent] = officer_answers(fake_wechat)
    assert sent.startswith(suggestion)


def test_the_suggested_outcome_answer_still_goes_through_the_checker(
    cast: Cast, tip: Case, fake_wechat: FakeWeChatAPI
) -> None:
    anna = signed_in(cast.officer_a)
    # A phone number typed into the department's name would reach the resident's screen.
    verify(anna, tip, outcome="department", department="市场监管局（王科长13912345678）")
    suggestion = outcome_answer(Verification.objects.get())

    response = anna.post(f"/inbox/cases/{tip.pk}/answer/", {"text": suggestion, "resolve": "on"})

    assert response.status_code == 400
    assert officer_messages(tip) == []
    assert officer_answers(fake_wechat) == []


@pytest.mark.parametrize("written", ["XA2026-0315", "xa 2026 0315"])
def test_an_answer_that_names_the_criminal_case_number_is_refused(
    cast: Cast, tip: Case, written: str
) -> None:
    anna = signed_in(cast.officer_a)
    verify(anna, tip, outcome="criminal_case", criminal_case_number="XA2026-0315")

    response = anna.post(
        f"/inbox/cases/{tip.pk}/answer/",
        {"text": f"您举报的线索已立案，案件编号{written}。", "resolve": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "which residents are never told" in response.content.decode()
    assert officer_messages(tip) == []


def test_the_criminal_case_outcome_answer_tells_the_resident_no_case_number(
    cast: Cast, tip: Case
) -> None:
    anna = signed_in(cast.officer_a)
    verify(anna, tip, outcome="criminal_case", criminal_case_number="A3301062026120500123")

    suggestion = outcome_answer(Verification.objects.get())

    assert "A3301062026120500123" not in suggestion
    assert "3301062026" not in suggestion


def test_an_inspector_reads_the_verification_but_cannot_record_one(cast: Cast, tip: Case) -> None:
    verify(signed_in(cast.officer_a), tip)
    ivy = signed_in(cast.inspector)

    page = ivy.get(f"/inbox/cases/{tip.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ivy.post(f"/inbox/cases/{tip.pk}/verify/", CHECKED | {"outcome": "unfounded"})

    assert "Confirmed" in page
    assert "/verify/" not in page
    assert list(Verification.objects.values_list("outcome", flat=True)) == ["confirmed"]


def test_another_station_cannot_even_find_the_tip_to_verify(cast: Cast, tip: Case) -> None:
    response = signed_in(cast.officer_b).post(f"/inbox/cases/{tip.pk}/verify/", CHECKED)

    assert response.status_code == 404
    assert not Verification.objects.exists()


def test_a_consultation_is_answered_and_resolved_without_verification(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oFAKE_VERIFY_ASK", "你好，请问派出所周六上班吗？")
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.NEW, case_type="consultation")

    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/answer/", {"text": "周六上午开放。", "resolve": "on"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
