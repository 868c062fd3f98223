"""Answers go back the way the question came: under the comment or post, or privately;
within Weibo's length and hourly limits, with errors sorted into temporary and permanent."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

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
from beatdesk.channels.weibo import adapter
from beatdesk.channels.weibo.fake_api import (
    CREATE_PATH,
    MESSAGE_REPLY_PATH,
    REPLY_PATH,
    FakeWeiboAPI,
)
from beatdesk.channels.weibo.peer import WeiboPushPeer, encode
from beatdesk.channels.weibo.poll import poll_account
from beatdesk.channels.weibo.sharing import weibo_length
from beatdesk.core import ratelimit
from beatdesk.inbox.models import Case
from tests.channels.weibo.conftest import RESIDENT_A, RESIDENT_B
from tests.conftest import Cast, signed_in


@pytest.fixture
def comment_case(authorised: Account, fake_weibo: FakeWeiboAPI) -> tuple[Case, str, str]:
    """A resident asked under the station's post; returns the case, post id and comment id."""
    post = fake_weibo.add_post()
    comment = fake_weibo.add_comment(post, str(RESIDENT_A), "请问城南路现在能通行吗？")
    poll_account(authorised)
    return Case.objects.get(resident__external_id=f"public:{RESIDENT_A}"), post, comment


def answer(cast: Cast, case: Case, text: str = "城南路已恢复通行，请注意慢行。") -> OutboxMessage:
    response = signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/answer/", {"text": text})
    assert response.status_code == 302
    return OutboxMessage.objects.get(account=case.account, message__author=cast.officer_a)


def later(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def test_an_answer_to_a_comment_is_a_reply_under_it_with_its_ids(
    cast: Cast, comment_case: tuple[Case, str, str], fake_weibo: FakeWeiboAPI
) -> None:
    case, post, comment = comment_case
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    [posted] = fake_weibo.posted
    assert (posted.status_id, posted.reply_to) == (post, comment)
    assert posted.text == "城南路已恢复通行，请注意慢行。"
    [call] = fake_weibo.calls_to(REPLY_PATH)
    assert (call.params["cid"], call.params["id"]) == (comment, post)
    assert call.headers["authorization"].startswith("OAuth2 ")
    assert "access_token" not in call.params


def test_our_own_reply_read_back_by_the_next_poll_is_not_a_residents_message(
    cast: Cast, comment_case: tuple[Case, str, str], authorised: Account
) -> None:
    case, _post, _comment = comment_case
    answer(cast, case)
    outbox.relay_due()

    report = poll_account(authorised)

    assert report.stored == 1
    assert case.messages.filter(direction="in").count() == 1


def test_an_answer_to_a_post_that_mentions_us_is_a_comment_under_that_post(
    cast: Cast, authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    status = fake_weibo.add_mention_post(str(RESIDENT_B), "@城南派出所 电动车被盗怎么报案？")
    poll_account(authorised)
    case = Case.objects.get(resident__external_id=f"public:{RESIDENT_B}")
    answer(cast, case, "请带身份证和购车凭证到派出所报案。")

    outbox.relay_due()

    [posted] = fake_weibo.posted
    assert (posted.status_id, posted.reply_to, posted.rip) == (status, "", "203.0.113.7")
    assert len(fake_weibo.calls_to(CREATE_PATH)) == 1


def test_markup_in_an_answer_reaches_weibo_literally(
    cast: Cast, comment_case: tuple[Case, str, str], fake_weibo: FakeWeiboAPI
) -> None:
    case, _post, _comment = comment_case
    text = "<b>提示</b> &amp; 100%安全？#防诈骗# [CQ:at,qq=all]"
    answer(cast, case, text)

    outbox.relay_due()

    assert fake_weibo.posted[0].text == text


def test_an_answer_longer_than_a_comment_may_be_fails_without_a_call(
    cast: Cast, comment_case: tuple[Case, str, str], fake_weibo: FakeWeiboAPI
) -> None:
    case, _post, _comment = comment_case
    row = answer(cast, case, "请" * 141)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.FAILED, "too-long")
    assert fake_weibo.calls_to(REPLY_PATH) == []


def test_weibo_counts_two_latin_letters_as_one_character() -> None:
    assert weibo_length("请" * 140) == 140
    assert weibo_length("a" * 280) == 140
    assert weibo_length("a" * 281) == 141


def test_a_rate_limited_reply_is_retried_later_and_sent_once(
    cast: Cast, comment_case: tuple[Case, str, str], fake_weibo: FakeWeiboAPI
) -> None:
    case, _post, _comment = comment_case
    fake_weibo.fail_next(REPLY_PATH, error_code=10024)
    row = answer(cast, case)

    outbox.relay_due()
    row.refresh_from_db()
    assert (row.status, row.last_error_kind, row.last_error_code) == (
        OutboxStatus.PENDING,
        ErrorKind.TEMPORARY,
        "10024",
    )
    assert row.next_attempt_at > timezone.now()
    outbox.relay_due(later(60))

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    outcomes = list(DeliveryAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.TEMPORARY, AttemptOutcome.SENT]
    assert len(fake_weibo.posted) == 1


def test_the_hourly_comment_limit_holds_an_answer_back_without_calling_weibo(
    cast: Cast,
    comment_case: tuple[Case, str, str],
    fake_weibo: FakeWeiboAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case, _post, _comment = comment_case
    limit = ratelimit.Limit("weibo.comments", 1, timedelta(hours=1))
    monkeypatch.setattr(adapter, "COMMENTS_PER_HOUR", limit)
    ratelimit.note(limit, case.account.code)
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.PENDING, "hourly-limit")
    assert fake_weibo.calls_to(REPLY_PATH) == []


def test_an_expired_token_fails_the_answer_and_flags_the_account(
    cast: Cast, comment_case: tuple[Case, str, str], fake_weibo: FakeWeiboAPI
) -> None:
    case, _post, _comment = comment_case
    fake_weibo.expire_tokens()
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    case.account.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.FAILED, "21327")
    assert case.account.needs_attention == "send-failed:21327"
    assert fake_weibo.posted == []


def test_a_reply_to_a_deleted_comment_fails_permanently(
    cast: Cast, comment_case: tuple[Case, str, str], fake_weibo: FakeWeiboAPI
) -> None:
    case, _post, _comment = comment_case
    fake_weibo.fail_next(REPLY_PATH, error_code=20201)
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_kind) == (OutboxStatus.FAILED, ErrorKind.PERMANENT)


def test_a_weibo_outage_is_retried(
    cast: Cast, comment_case: tuple[Case, str, str], fake_weibo: FakeWeiboAPI
) -> None:
    case, _post, _comment = comment_case
    fake_weibo.fail_next(REPLY_PATH, kind="close")
    row = answer(cast, case)

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.PENDING, "network")


# Private answers through the fan-service platform.


@pytest.fixture
def private_case(
    weibo_account: Account, fake_weibo: FakeWeiboAPI, push_peer: WeiboPushPeer
) -> Case:
    body = encode(push_peer.text(RESIDENT_A, "我想咨询居住证办理"))
    address = f"{weibo_account.endpoint}?{urlencode(push_peer.signed_query())}"
    Client().post(address, data=body, content_type="application/json")
    fake_weibo.user_wrote(str(RESIDENT_A))
    # The automatic answer with the tracking code goes out first; the tests follow it.
    outbox.relay_due()
    assert len(fake_weibo.private_replies) == 1
    fake_weibo.forget_traffic()
    return Case.objects.get(resident__external_id=f"private:{RESIDENT_A}")


def test_a_private_question_gets_a_private_answer_through_the_fan_service_api(
    cast: Cast, private_case: Case, fake_weibo: FakeWeiboAPI
) -> None:
    row = answer(cast, private_case, "请带身份证和租房合同到派出所办理。")

    outbox.relay_due()

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert [(r.receiver_id, r.text) for r in fake_weibo.private_replies] == [
        (str(RESIDENT_A), "请带身份证和租房合同到派出所办理。")
    ]
    assert fake_weibo.calls_to(REPLY_PATH) == []
    assert len(fake_weibo.calls_to(MESSAGE_REPLY_PATH)) == 1


def test_a_private_answer_after_the_48_hour_window_is_held(
    cast: Cast, private_case: Case, fake_weibo: FakeWeiboAPI
) -> None:
    row = answer(cast, private_case)

    outbox.relay_due(later(48 * 60 + 1))

    row.refresh_from_db()
    assert row.status == OutboxStatus.HELD
    assert fake_weibo.private_replies == []
