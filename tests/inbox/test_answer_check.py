"""Answers pass the checker: a block stops them, a review needs the officer's confirmation."""

import pytest
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account, OutboxMessage
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.checker.models import CheckRecord
from beatdesk.inbox.models import Case, Message
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

SECRET = "根据绝密★文件，明天会有检查。"
PHONE = "有事请打李警官手机13812345678。"


@pytest.fixture
def case(account: Account, peer: WeChatPeer, fake_wechat: FakeWeChatAPI) -> Case:
    fake_wechat.note_user_message("oCHECK")
    return resident_writes(account, peer, "oCHECK", "我想找社区民警，怎么联系？")


def send(client: Client, case: Case, text: str, **extra: str) -> str:
    response = client.post(f"/inbox/cases/{case.pk}/answer/", {"text": text, **extra})
    return "sent" if response.status_code == 302 else response.content.decode()


def test_an_answer_with_a_blocking_finding_is_not_sent_even_if_confirmed(
    cast: Cast, case: Case
) -> None:
    page = send(signed_in(cast.officer_a), case, SECRET, confirm_findings="on")

    assert "绝密★" in page
    assert 'class="finding severity-block"' in page
    assert not OutboxMessage.objects.filter(message__isnull=False).exists()
    assert not Message.objects.filter(direction="out", author=cast.officer_a).exists()


def test_an_answer_needing_review_waits_for_the_officers_confirmation(
    cast: Cast, case: Case
) -> None:
    client = signed_in(cast.officer_a)

    first = send(client, case, PHONE)

    assert 'name="confirm_findings"' in first
    assert "138****5678" in first
    assert not OutboxMessage.objects.filter(message__isnull=False).exists()


def test_a_confirmed_review_is_sent_and_the_confirmation_recorded_without_the_text(
    cast: Cast, case: Case
) -> None:
    outcome = send(signed_in(cast.officer_a), case, PHONE, confirm_findings="on")

    assert outcome == "sent"
    message = Message.objects.get(direction="out", author=cast.officer_a)
    check = CheckRecord.objects.get(object_type="inbox.message", object_id=str(message.pk))
    assert check.confirmed_by == cast.officer_a
    assert check.risk == "medium"
    assert [f["category"] for f in check.findings] == ["personal_data"]
    assert "13812345678" not in str(check.findings)
    assert AuditRecord.objects.filter(
        action="answer.review_confirmed", object_id=str(message.pk), actor=cast.officer_a
    ).exists()
    assert OutboxMessage.objects.filter(message__isnull=False).count() == 1


def test_a_clean_answer_is_sent_at_once_and_leaves_no_check_record(cast: Cast, case: Case) -> None:
    outcome = send(signed_in(cast.officer_a), case, "您好，可以到派出所一楼窗口找社区民警。")

    assert outcome == "sent"
    assert not CheckRecord.objects.exists()


def test_the_answer_box_asks_for_inline_findings_while_typing(cast: Cast, case: Case) -> None:
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()

    assert 'hx-post="/checker/inline/"' in page
    assert 'hx-include="#answer-unit"' in page
    assert '<input type="hidden" name="unit" value="station-a" id="answer-unit">' in page
    assert 'id="answer-findings"' in page


def test_a_residents_id_number_is_flagged_on_the_case_page_and_recorded_without_it(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oIDNO", "我的身份证号110101199003074514丢了")

    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    body = page.content.decode()
    assert "The checker found:" in body or "检查发现" in body
    message = Message.objects.get(resident=case.resident, direction="in")
    check = CheckRecord.objects.get(object_type="inbox.message", object_id=str(message.pk))
    assert check.checked_by is None
    assert "110101199003074514" not in str(check.findings)


def test_the_case_history_reads_as_words_not_action_codes(cast: Cast, case: Case) -> None:
    send(signed_in(cast.officer_a), case, "您好，可以到派出所一楼窗口找社区民警。")

    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    history = page.content.decode().split('<ul class="history">')[1]
    assert "Case opened" in history
    assert "Status changed → In progress" in history
    assert "case.opened" not in history
