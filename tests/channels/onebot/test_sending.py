"""Answers go out through the OneBot API as segments, prefixed in groups, retried by class."""

from datetime import datetime, timedelta

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
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer
from beatdesk.inbox.models import Case
from tests.channels.onebot.events import fixture, post
from tests.conftest import ONEBOT_ACCESS_TOKEN, Cast, signed_in


def case_answered_automatically(
    account: Account, peer: OneBotPeer, fake: FakeOneBotAPI, event: str, resident: str
) -> Case:
    """Open a case and send its automatic answer, so a test sees only the officer's."""
    post(Client(), account, peer, fixture(event))
    outbox.relay_due()
    assert len(fake.sent) == 1
    fake.forget_traffic()
    return Case.objects.get(resident__external_id=resident)


@pytest.fixture
def group_case(
    onebot_account: Account, onebot_peer: OneBotPeer, fake_onebot: FakeOneBotAPI
) -> Case:
    return case_answered_automatically(
        onebot_account, onebot_peer, fake_onebot, "group_message_array", "group:20001:10001"
    )


@pytest.fixture
def private_case(
    onebot_account: Account, onebot_peer: OneBotPeer, fake_onebot: FakeOneBotAPI
) -> Case:
    return case_answered_automatically(
        onebot_account, onebot_peer, fake_onebot, "private_message", "private:10001"
    )


def answer(
    cast: Cast, case: Case, text: str = "请带身份证和租房合同到派出所办理。"
) -> OutboxMessage:
    response = signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/answer/", {"text": text})
    assert response.status_code == 302
    return OutboxMessage.objects.get(message__author=cast.officer_a)


def later(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def test_it_sends_a_group_answer_with_the_station_and_officer_prefix(
    cast: Cast, group_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    row = answer(cast, group_case)

    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    [sent] = fake_onebot.sent
    assert (sent.message_type, sent.target_id) == ("group", "20001")
    prefixed = "【Unit station-a Officer Anna】请带身份证和租房合同到派出所办理。"
    assert sent.segments == [
        {"type": "at", "data": {"qq": "10001"}},
        {"type": "text", "data": {"text": " " + prefixed}},
    ]
    assert row.payload["sent_text"] == prefixed


def test_a_display_name_that_already_names_the_unit_is_not_prefixed_with_it_again(
    cast: Cast, group_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    cast.officer_a.display_name = "Unit station-a Anna"
    cast.officer_a.save()

    answer(cast, group_case, "请到户籍窗口办理。")
    outbox.relay_due()

    assert fake_onebot.sent[0].text == " 【Unit station-a Anna】请到户籍窗口办理。"


def test_it_sends_a_private_answer_privately_without_a_prefix(
    cast: Cast, private_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    answer(cast, private_case, "我们已经安排民警联系您。")

    outbox.relay_due()

    [sent] = fake_onebot.sent
    assert (sent.message_type, sent.target_id) == ("private", "10001")
    assert sent.segments == [{"type": "text", "data": {"text": "我们已经安排民警联系您。"}}]


def test_it_never_lets_cq_codes_in_an_answer_mention_everyone(
    cast: Cast, group_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    answer(cast, group_case, "有人冒充我们发[CQ:at,qq=all]通知，请勿相信&#91;转账&#93;")

    outbox.relay_due()

    [sent] = fake_onebot.sent
    assert not sent.mentions_all
    assert [s["type"] for s in sent.segments] == ["at", "text"]
    assert sent.text.endswith("有人冒充我们发[CQ:at,qq=all]通知，请勿相信&#91;转账&#93;")
    assert "&#91;CQ:at,qq=all&#93;" in sent.rendered
    [call] = fake_onebot.calls_to("send_group_msg")
    assert isinstance(call.params["message"], list)


def test_it_calls_the_api_with_the_access_token_as_a_bearer_and_ids_as_text(
    cast: Cast, group_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    answer(cast, group_case)

    outbox.relay_due()

    [call] = fake_onebot.calls_to("send_group_msg")
    assert call.headers["authorization"] == f"Bearer {ONEBOT_ACCESS_TOKEN}"
    assert call.params["group_id"] == "20001"


def test_it_retries_a_send_refused_inside_an_http_200_and_sends_the_same_text(
    cast: Cast, group_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    fake_onebot.fail_next("send_group_msg", retcode=200)
    row = answer(cast, group_case)

    outbox.relay_due()
    row.refresh_from_db()
    assert (row.status, row.last_error_kind, row.last_error_code) == (
        OutboxStatus.PENDING,
        ErrorKind.TEMPORARY,
        "200",
    )
    outbox.relay_due(later(60))

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    outcomes = list(DeliveryAttempt.objects.filter(outbox=row).values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.TEMPORARY, AttemptOutcome.SENT]
    first, second = fake_onebot.calls_to("send_group_msg")
    assert first.params["message"] == second.params["message"]
    assert len(fake_onebot.sent) == 1


@pytest.mark.parametrize("retcode", [100, 400, 1404])
def test_it_fails_a_send_the_api_rejects_as_wrong_and_flags_the_account(
    cast: Cast, group_case: Case, fake_onebot: FakeOneBotAPI, retcode: int
) -> None:
    fake_onebot.fail_next("send_group_msg", retcode=retcode)
    row = answer(cast, group_case)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.FAILED, str(retcode))
    group_case.account.refresh_from_db()
    assert group_case.account.needs_attention == f"send-failed:{retcode}"


@pytest.mark.parametrize("kind", ["http_500", "close"])
def test_it_retries_when_the_api_breaks_or_hangs_up(
    cast: Cast, private_case: Case, fake_onebot: FakeOneBotAPI, kind: str
) -> None:
    fake_onebot.break_next("send_private_msg", kind=kind)  # type: ignore[arg-type]
    row = answer(cast, private_case)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_kind) == (OutboxStatus.PENDING, ErrorKind.TEMPORARY)


def test_it_fails_permanently_when_the_api_refuses_the_access_token(
    cast: Cast, private_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    fake_onebot.access_token = "rotated-on-the-napcat-side"
    row = answer(cast, private_case)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.FAILED, "http-403")


def test_it_gives_up_after_the_outboxs_attempt_limit_of_temporary_errors(
    cast: Cast, private_case: Case, fake_onebot: FakeOneBotAPI
) -> None:
    fake_onebot.fail_next("send_private_msg", retcode=200, times=outbox.MAX_ATTEMPTS)
    row = answer(cast, private_case)

    for hours in range(outbox.MAX_ATTEMPTS):
        outbox.relay_due(later(60 * (hours + 1) * 2))

    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert DeliveryAttempt.objects.filter(outbox=row).count() == outbox.MAX_ATTEMPTS
    assert fake_onebot.sent == []
