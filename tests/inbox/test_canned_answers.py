"""Canned answers: a unit keeps ready answers, officers below it pick one and may change it."""

import pytest

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import CannedAnswer, Case
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

OFFICE_HOURS = "派出所户籍窗口周一至周五8:30-17:30办理，周六上午也可以办理。"


@pytest.fixture
def case(account: Account, peer: WeChatPeer) -> Case:
    return resident_writes(account, peer, "oCANNED", "请问户籍窗口周六上班吗？")


def add(cast: Cast, unit_id: int, title: str, text: str = OFFICE_HOURS) -> int:
    data = {"unit": unit_id, "title": title, "text": text}
    return signed_in(cast.leader).post("/inbox/canned/", data).status_code


def test_a_leader_keeps_a_canned_answer_for_the_units_below_and_it_is_audited(
    cast: Cast,
) -> None:
    status = add(cast, cast.county.pk, "户籍窗口时间")

    assert status == 302
    canned = CannedAnswer.objects.get()
    assert (canned.unit, canned.created_by) == (cast.county, cast.leader)
    assert AuditRecord.objects.filter(action="canned_answer.added").count() == 1


def test_an_officer_below_sees_it_on_a_case_and_picking_it_fills_the_answer_box(
    cast: Cast, case: Case
) -> None:
    add(cast, cast.county.pk, "户籍窗口时间")
    canned = CannedAnswer.objects.get()
    anna = signed_in(cast.officer_a)

    page = anna.get(f"/inbox/cases/{case.pk}/").content.decode()
    picked = anna.get(f"/inbox/cases/{case.pk}/?canned={canned.pk}").content.decode()

    assert "户籍窗口时间" in page
    assert OFFICE_HOURS not in page
    assert OFFICE_HOURS in picked


def test_a_canned_answer_of_another_branch_is_neither_listed_nor_filled_in(
    cast: Cast, case: Case
) -> None:
    add(cast, cast.station_b.pk, "乙所的答复")
    canned = CannedAnswer.objects.get()
    anna = signed_in(cast.officer_a)

    page = anna.get(f"/inbox/cases/{case.pk}/?canned={canned.pk}").content.decode()

    assert "乙所的答复" not in page
    assert OFFICE_HOURS not in page


def test_an_officer_cannot_keep_canned_answers_and_cannot_add_one_for_a_unit_by_its_id(
    cast: Cast,
) -> None:
    anna = signed_in(cast.officer_a)
    data = {"unit": cast.station_a.pk, "title": "自己写的", "text": OFFICE_HOURS}

    response = anna.post("/inbox/canned/", data)

    assert response.status_code == 400
    assert not CannedAnswer.objects.exists()


def test_a_canned_answer_the_checker_blocks_is_not_kept(cast: Cast) -> None:
    # A secrecy mark has no place in an answer that goes to residents again and again.
    leaky = "绝密★ 本周专项行动的部署情况请勿外传。"

    response = signed_in(cast.leader).post(
        "/inbox/canned/", {"unit": cast.county.pk, "title": "泄露", "text": leaky}
    )

    assert response.status_code == 400
    assert not CannedAnswer.objects.exists()


def test_a_retired_canned_answer_is_no_longer_offered_and_others_cannot_retire_it(
    cast: Cast, case: Case
) -> None:
    add(cast, cast.county.pk, "户籍窗口时间")
    canned = CannedAnswer.objects.get()

    refused = signed_in(cast.officer_a).post(f"/inbox/canned/{canned.pk}/retire/")
    retired = signed_in(cast.leader).post(f"/inbox/canned/{canned.pk}/retire/")
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()

    assert (refused.status_code, retired.status_code) == (404, 302)
    assert "户籍窗口时间" not in page
    assert AuditRecord.objects.filter(action="canned_answer.retired").count() == 1


def test_the_empty_choice_of_a_unit_list_reads_in_chinese(cast: Cast) -> None:
    page = signed_in(cast.leader).get("/inbox/canned/").content.decode()

    assert "- 请选择 -" in page
    assert "Select an option" not in page
