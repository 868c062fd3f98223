"""Common questions are answered at once from the knowledge base; the rest get proposals."""

from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account, OutboxMessage
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, CaseStatus, KnowledgeLayer
from tests.channels.wechat.pushes import push
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

QUESTION = "身份证丢了怎么补办"


def reply_to(account: Account, peer: WeChatPeer, openid: str, text: str, msg_id: int) -> str:
    """Return the automatic answer the worker queued for the resident's message."""
    push(Client(), account, peer, peer.build_text(openid, text, msg_id))
    answer = OutboxMessage.objects.get(recipient=openid, idempotency_key__startswith="auto-reply:")
    return str(answer.payload["text"])


def test_a_common_question_is_answered_with_the_tracking_code_and_the_case_resolved(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    content = reply_to(account, peer, "oKB1", QUESTION, 88001)

    case = Case.objects.get(resident__external_id="oKB1")
    assert "补领" in content and case.tracking_code in content
    assert (case.status, case.auto_answer_entry) == (CaseStatus.RESOLVED, "id-lost")
    assert AuditRecord.objects.filter(action="case.auto_answered", object_id=str(case.pk)).exists()


def test_writing_again_soon_reopens_the_same_case_for_an_officer(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first = resident_writes(account, peer, "oKB2", QUESTION)

    again = resident_writes(account, peer, "oKB2", "我要找民警人工回复")

    assert again.pk == first.pk
    assert again.status == CaseStatus.REOPENED


def test_a_complaint_is_never_answered_by_the_machine(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(
        account, peer, "oKB3", "投诉！你们补办身份证的窗口态度太差了，等了三个小时"
    )

    assert case.auto_answered_at is None
    assert case.status == CaseStatus.NEW


def test_an_uncertain_question_shows_one_click_answers_to_the_officer(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oKB4", "我那个证件好像找不到了，在外地上班，咋办呀")
    case.refresh_from_db()

    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()

    assert case.auto_answered_at is None
    assert case.proposals
    assert 'class="proposals"' in page


def test_a_station_layer_overrides_the_common_answer(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    KnowledgeLayer.objects.create(
        unit=cast.station_a,
        source=(
            '[[entry]]\nid = "id-lost"\nmenu = ["业务咨询", "身份证", "丢失补办"]\n'
            'questions = ["身份证丢了怎么补办"]\n'
            'answer = "本所周六上午也办理补证，请带户口簿来一楼三号窗口。"\n'
            "review_by = 2027-06-30\n"
        ),
    )

    content = reply_to(account, peer, "oKB5", QUESTION, 88005)

    assert "周六上午也办理补证" in content


def test_a_tip_or_a_report_that_mentions_office_hours_stays_open_for_an_officer(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    # Seen in review: both were closed with the office hours and reached no officer.
    cast.station_a.office_hours = "周一至周五 8:30-17:30"
    cast.station_a.save()
    tip = resident_writes(account, peer, "oKB6", "办公时间门口有人贩毒，每天下午都在")
    report = resident_writes(account, peer, "oKB7", "派出所几点上班？我要报案，有人一直骚扰我")

    for case in (tip, report):
        case.refresh_from_db()
        assert case.auto_answered_at is None, case.case_type
        assert case.status == CaseStatus.NEW
