"""An officer's answer goes back on the channel once, through the outbox, whatever fails."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.models import (
    AccessToken,
    Account,
    ChannelContact,
    DeliveryAttempt,
    OutboxMessage,
    OutboxStatus,
)
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, CaseStatus
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

ANNA = "oFAKE_A"


@pytest.fixture
def case(account: Account, peer: WeChatPeer, fake_wechat: FakeWeChatAPI) -> Case:
    fake_wechat.note_user_message(ANNA)
    case = resident_writes(account, peer, ANNA, "你好，我家楼上每天半夜装修，吵得睡不着，能管吗？")
    # The automatic answer with the tracking code goes out first; the tests follow it.
    outbox.relay_due()
    assert len(fake_wechat.sent_texts(ANNA)) == 1
    return case


def answer(cast: Cast, case: Case, text: str = "请带户口本到派出所窗口办理。") -> OutboxMessage:
    response = signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/answer/", {"text": text})
    assert response.status_code == 302
    return OutboxMessage.objects.get(message__author=cast.officer_a)


def officer_answers(fake_wechat: FakeWeChatAPI) -> list[str]:
    """Return what the resident received after the automatic answer."""
    return fake_wechat.sent_texts(ANNA)[1:]


def later(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def test_it_sends_the_officers_answer_to_the_resident(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert officer_answers(fake_wechat) == ["请带户口本到派出所窗口办理。"]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_it_shows_the_answer_and_its_delivery_on_the_case_page(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    answer(cast, case)
    outbox.relay_due()

    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()

    assert "请带户口本到派出所窗口办理。" in page
    assert "delivery-sent" in page


def test_it_refuses_an_empty_answer_and_writes_nothing(cast: Cast, case: Case) -> None:
    response = signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/answer/", {"text": "  "})

    assert response.status_code == 400
    assert not OutboxMessage.objects.filter(message__isnull=False).exists()


@pytest.mark.parametrize("failures", [1, 2, 3, 4, 5])
def test_it_delivers_exactly_once_when_the_api_fails_one_to_five_times_first(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI, failures: int
) -> None:
    fake_wechat.fail_next("/cgi-bin/message/custom/send", -1, times=failures)
    row = answer(cast, case)

    # A day of relays, further apart than any backoff, each sending what is due by then.
    for minutes in (0, 60, 180, 600, 1200, 2400, 4800, 9600, 19200, 38400):
        outbox.relay_due(later(minutes))

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert officer_answers(fake_wechat) == ["请带户口本到派出所窗口办理。"]
    outcomes = list(DeliveryAttempt.objects.filter(outbox=row).values_list("outcome", flat=True))
    assert outcomes == ["temporary"] * failures + ["sent"]


def test_it_fails_a_permanent_error_once_and_flags_the_account(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI, account: Account
) -> None:
    fake_wechat.fail_next("/cgi-bin/message/custom/send", 48001, times=5)
    row = answer(cast, case)

    outbox.relay_due()
    outbox.relay_due(later(600))

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.FAILED, "48001")
    assert DeliveryAttempt.objects.filter(outbox=row).count() == 1
    account.refresh_from_db()
    assert account.needs_attention


def test_it_holds_an_answer_outside_the_window_until_the_resident_writes_again(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI, account: Account, peer: WeChatPeer
) -> None:
    ChannelContact.objects.filter(external_id=ANNA).update(
        last_inbound_at=timezone.now() - timedelta(hours=49)
    )
    row = answer(cast, case)

    outbox.relay_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.HELD
    assert officer_answers(fake_wechat) == []

    resident_writes(account, peer, ANNA, "还在吗？")
    outbox.relay_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert officer_answers(fake_wechat) == ["请带户口本到派出所窗口办理。"]


def test_it_holds_the_answer_when_wechat_says_the_window_closed(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    fake_wechat.fail_next("/cgi-bin/message/custom/send", 45015)
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.HELD, "45015")


def test_it_lets_the_resident_read_a_held_answer_on_the_portal(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    fake_wechat.fail_next("/cgi-bin/message/custom/send", 45015)
    answer(cast, case)
    outbox.relay_due()

    from django.test import Client

    page = Client().get("/track/", {"code": case.tracking_code.lower()}).content.decode()

    assert "请带户口本到派出所窗口办理。" in page
    assert "半夜装修" not in page


def test_it_sends_a_killed_workers_answer_once_after_its_claim_expires(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    row = answer(cast, case)
    # A worker claims the row and dies before sending: the row stays `sending`.
    claimed = outbox._claim(row.pk, timezone.now())
    assert claimed is not None

    assert outbox.relay_due() == 0
    assert outbox.relay_due(later(outbox.CLAIM_SECONDS / 60 + 1)) == 1

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert officer_answers(fake_wechat) == ["请带户口本到派出所窗口办理。"]


def test_it_fetches_one_shared_token_for_many_answers(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    for text in ("第一条", "第二条", "第三条"):
        signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/answer/", {"text": text})

    outbox.relay_due()

    assert officer_answers(fake_wechat) == ["第一条", "第二条", "第三条"]
    assert fake_wechat.token_fetches == 1
    assert AccessToken.objects.get().expires_at is not None


def test_it_bounds_token_refreshes_when_wechat_keeps_rejecting_the_token(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    fake_wechat.fail_next("/cgi-bin/message/custom/send", 40001, times=50)
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.last_error_code == "40001"
    assert fake_wechat.token_fetches <= 3


def test_it_records_who_changed_the_status_and_when(cast: Cast, case: Case) -> None:
    client = signed_in(cast.officer_a)

    client.post(f"/inbox/cases/{case.pk}/status/", {"status": "resolved"})

    from beatdesk.audit.models import AuditRecord

    entry = AuditRecord.objects.filter(action="case.status").get()
    assert (entry.actor, entry.details) == (cast.officer_a, {"old": "new", "new": "resolved"})
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_it_refuses_a_status_change_that_makes_no_sense(cast: Cast, case: Case) -> None:
    client = signed_in(cast.officer_a)

    client.post(f"/inbox/cases/{case.pk}/status/", {"status": "closed"})

    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_it_opens_a_new_case_when_a_resident_writes_after_the_reopening_period(
    cast: Cast, case: Case, account: Account, peer: WeChatPeer
) -> None:
    signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/status/", {"status": "resolved"})
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=8))

    second = resident_writes(account, peer, ANNA, "还有一个问题")

    assert second.pk != case.pk
    assert second.follows_id == case.pk
    assert Case.objects.filter(status=CaseStatus.NEW).count() == 1


def test_a_tracking_code_typed_in_full_width_letters_is_found(case: Case) -> None:
    from django.test import Client

    full_width = "".join(chr(ord(c) + 0xFEE0) for c in case.tracking_code)

    response = Client().get("/track/", {"code": full_width})

    assert response.status_code == 200
    assert case.tracking_code in response.content.decode()


def test_the_same_answer_form_sent_twice_sends_the_answer_once(
    cast: Cast, case: Case, fake_wechat: FakeWeChatAPI
) -> None:
    form = {
        "text": "请带户口本到派出所窗口办理。",
        "submission": "0123456789abcdef0123456789abcdef",
    }
    client = signed_in(cast.officer_a)

    first = client.post(f"/inbox/cases/{case.pk}/answer/", form)
    again = client.post(f"/inbox/cases/{case.pk}/answer/", form)
    outbox.relay_due()

    assert first.status_code == again.status_code == 302
    assert officer_answers(fake_wechat) == ["请带户口本到派出所窗口办理。"]
    assert OutboxMessage.objects.filter(message__author=cast.officer_a).count() == 1


def test_each_answer_page_carries_a_fresh_token(cast: Cast, case: Case) -> None:
    client = signed_in(cast.officer_a)

    pages = [client.get(f"/inbox/cases/{case.pk}/").content.decode() for _ in range(2)]

    tokens = [re.findall(r'name="submission" value="([0-9a-f]{32})"', page) for page in pages]
    assert len(tokens[0]) == len(tokens[1]) == 1
    assert tokens[0] != tokens[1]
