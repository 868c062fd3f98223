"""Answers go back as numbered passive replies to the right chat; failures are classified."""

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from django.test import Client
from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.models import (
    Account,
    AttemptOutcome,
    DeliveryAttempt,
    ErrorKind,
    OutboxMessage,
    OutboxStatus,
)
from beatdesk.channels.qqbot.fake_api import FakeQQBotAPI
from beatdesk.channels.qqbot.peer import QQBotPeer
from beatdesk.inbox.models import Case
from tests.channels.qqbot.conftest import GROUP, RESIDENT_A
from tests.channels.qqbot.events import post
from tests.conftest import Cast, signed_in

AUTOMATIC = "auto-reply:"


def resident_writes(
    account: Account,
    peer: QQBotPeer,
    fake: FakeQQBotAPI,
    envelope: dict[str, Any],
) -> dict[str, Any]:
    """Post a resident's message to our endpoint and let the fake platform know of it."""
    fake.saw(envelope)
    assert post(Client(), account, peer, envelope).status_code == 200
    return envelope


def ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def answer(
    cast: Cast, case: Case, text: str = "请带身份证和租房合同到派出所办理。"
) -> OutboxMessage:
    response = signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/answer/", {"text": text})
    assert response.status_code == 302
    return OutboxMessage.objects.exclude(idempotency_key__startswith=AUTOMATIC).latest("pk")


def test_it_sends_the_tracking_code_as_a_reply_to_the_residents_private_message(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    envelope = qqbot_peer.c2c_message(RESIDENT_A, "我的电动车被偷了")
    resident_writes(qqbot_account, qqbot_peer, fake_qqbot, envelope)

    outbox.relay_due()

    [sent] = fake_qqbot.sent
    assert (sent.scene, sent.target) == ("users", RESIDENT_A)
    assert (sent.msg_id, sent.msg_seq) == (envelope["d"]["id"], 1)
    assert Case.objects.get().tracking_code in sent.content
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_it_answers_in_the_group_with_the_officer_and_the_next_sequence_number(
    cast: Cast, qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    envelope = qqbot_peer.group_at_message(GROUP, RESIDENT_A, "请问暂住证怎么办？")
    resident_writes(qqbot_account, qqbot_peer, fake_qqbot, envelope)
    outbox.relay_due()
    row = answer(cast, Case.objects.get())

    outbox.relay_due()

    automatic, officer = fake_qqbot.sent
    assert automatic.content.startswith("【Unit station-a】")
    assert (officer.scene, officer.target) == ("groups", GROUP)
    assert (officer.msg_id, officer.msg_seq) == (envelope["d"]["id"], 2)
    assert officer.content == "【Unit station-a Officer Anna】请带身份证和租房合同到派出所办理。"
    row.refresh_from_db()
    assert row.payload["sent_text"] == officer.content


def test_it_sends_markup_in_an_answer_as_plain_text(
    cast: Cast, qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    text = "<b>请</b>到 [窗口](http://127.0.0.1/x) 办理 & 取号 <@!everyone>"
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "怎么办？")
    )
    answer(cast, Case.objects.get(), text)

    outbox.relay_due()

    assert fake_qqbot.sent[-1].content == text
    assert {call.body.get("msg_type") for call in fake_qqbot.calls if "/v2/" in call.path} == {0}


def test_it_holds_a_group_answer_written_after_the_five_minute_window(
    cast: Cast, qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    old = qqbot_peer.group_at_message(GROUP, RESIDENT_A, "请问怎么报警？", when=ago(6))
    resident_writes(qqbot_account, qqbot_peer, fake_qqbot, old)
    row = answer(cast, Case.objects.get())

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_kind) == (OutboxStatus.HELD, ErrorKind.WINDOW)
    assert fake_qqbot.calls == []


def test_it_sends_a_held_answer_as_a_reply_to_the_residents_next_message(
    cast: Cast, qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    old = qqbot_peer.c2c_message(RESIDENT_A, "我要举报", when=ago(61))
    resident_writes(qqbot_account, qqbot_peer, fake_qqbot, old)
    row = answer(cast, Case.objects.get())
    outbox.relay_due()

    new = resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "还在吗？")
    )
    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    replies = [sent for sent in fake_qqbot.sent if sent.msg_id == new["d"]["id"]]
    assert sorted(sent.msg_seq for sent in replies) == [1, 2]
    assert "请带身份证和租房合同到派出所办理。" in {sent.content for sent in replies}


def test_it_holds_an_answer_the_platform_calls_too_late_and_forgets_its_number(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗")
    )
    fake_qqbot.fail_next(40034005)

    outbox.relay_due()

    row = OutboxMessage.objects.get()
    assert (row.status, row.last_error_code) == (OutboxStatus.HELD, "40034005")
    assert "msg_id" not in row.payload
    assert DeliveryAttempt.objects.get().outcome == AttemptOutcome.WINDOW


def test_it_holds_the_sixth_reply_to_one_message(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗")
    )
    recipient = f"c2c:{RESIDENT_A}"
    for number in range(5):
        outbox.enqueue(qqbot_account, recipient, f"第{number + 2}条", f"test:{number}")

    outbox.relay_due()

    assert sorted(sent.msg_seq for sent in fake_qqbot.sent) == [1, 2, 3, 4, 5]
    statuses = sorted(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == [OutboxStatus.HELD] + [OutboxStatus.SENT] * 5


def test_it_holds_an_answer_for_a_resident_with_no_message_to_reply_to(
    cast: Cast, qqbot_account: Account, fake_qqbot: FakeQQBotAPI
) -> None:
    row = outbox.enqueue(qqbot_account, f"c2c:{RESIDENT_A}", "您好", "test:orphan")

    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.HELD
    assert fake_qqbot.calls == []


def test_it_fetches_one_token_for_many_sends(
    cast: Cast, qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗？")
    )
    outbox.relay_due()
    answer(cast, Case.objects.get())

    outbox.relay_due()

    assert len(fake_qqbot.sent) == 2
    assert fake_qqbot.tokens_issued == 1
    schemes = {
        call.authorization.split(" ")[0] for call in fake_qqbot.calls if "/v2/" in call.path
    }
    assert schemes == {"QQBot"}


def test_it_fetches_a_new_token_once_when_the_platform_refuses_the_old_one(
    cast: Cast, qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗？")
    )
    outbox.relay_due()
    fake_qqbot.revoke_tokens()
    row = answer(cast, Case.objects.get())

    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert fake_qqbot.tokens_issued == 2
    assert [call.http_status for call in fake_qqbot.calls if "/v2/" in call.path] == [
        200,
        401,
        200,
    ]


def test_it_fails_permanently_and_flags_the_account_when_the_secret_is_wrong(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗？")
    )
    fake_qqbot.secret = "rotated-on-the-platform"

    outbox.relay_due()

    row = OutboxMessage.objects.get()
    assert (row.status, row.last_error_code) == (OutboxStatus.FAILED, "token-100016")
    qqbot_account.refresh_from_db()
    assert qqbot_account.needs_attention == "send-failed:token-100016"


@pytest.mark.parametrize(
    ("fault", "code"),
    [({"code": 22009}, "22009"), ({"code": 0, "status": 429}, "http-429")],
)
def test_it_retries_a_rate_limited_send_later(
    qqbot_account: Account,
    qqbot_peer: QQBotPeer,
    fake_qqbot: FakeQQBotAPI,
    fault: dict[str, int],
    code: str,
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗？")
    )
    fake_qqbot.fail_next(**fault)

    outbox.relay_due()

    row = OutboxMessage.objects.get()
    assert (row.status, row.last_error_kind, row.last_error_code) == (
        OutboxStatus.PENDING,
        ErrorKind.TEMPORARY,
        code,
    )


def test_it_counts_a_retry_the_platform_already_accepted_as_sent_once(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗？")
    )
    fake_qqbot.break_next("lose_answer")
    outbox.relay_due()
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING

    outbox.relay_due(timezone.now() + timedelta(minutes=1))

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert len(fake_qqbot.sent) == 1
    assert [attempt.outcome for attempt in DeliveryAttempt.objects.all()] == [
        AttemptOutcome.TEMPORARY,
        AttemptOutcome.SENT,
    ]


def test_it_fails_permanently_on_a_refusal_no_retry_can_change(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗？")
    )
    fake_qqbot.fail_next(304003)

    outbox.relay_due()

    row = OutboxMessage.objects.get()
    assert (row.status, row.last_error_kind) == (OutboxStatus.FAILED, ErrorKind.PERMANENT)


@pytest.mark.parametrize(("kind", "code"), [("http_500", "http-500"), ("close", "network")])
def test_it_retries_when_the_platform_fails_or_drops_the_connection(
    qqbot_account: Account,
    qqbot_peer: QQBotPeer,
    fake_qqbot: FakeQQBotAPI,
    kind: Literal["http_500", "close"],
    code: str,
) -> None:
    resident_writes(
        qqbot_account, qqbot_peer, fake_qqbot, qqbot_peer.c2c_message(RESIDENT_A, "在吗？")
    )
    fake_qqbot.break_next(kind)

    outbox.relay_due()

    row = OutboxMessage.objects.get()
    assert (row.status, row.last_error_kind, row.last_error_code) == (
        OutboxStatus.PENDING,
        ErrorKind.TEMPORARY,
        code,
    )
    assert fake_qqbot.sent == []
