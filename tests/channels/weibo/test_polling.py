"""Polling stores each comment and mention once, commits it before the cursor moves, and
hands it to the inbox; a failed page, the page bound and a rate limit lose nothing."""

import logging
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from beatdesk.channels.deliveries import store_delivery
from beatdesk.channels.models import (
    AccessToken,
    Account,
    DeliveryStatus,
    InboundDelivery,
    PollCursor,
)
from beatdesk.channels.tasks import process_stale_deliveries
from beatdesk.channels.weibo import client, poll
from beatdesk.channels.weibo.fake_api import FakeWeiboAPI
from beatdesk.channels.weibo.poll import poll_account
from beatdesk.channels.weibo.schemas import (
    COMMENTS_TO_ME,
    delivery_key,
    delivery_payload,
    parse_page,
)
from beatdesk.channels.weibo.tasks import poll_all
from beatdesk.core import ratelimit
from beatdesk.inbox.models import Case, Message
from tests.channels.weibo.conftest import (
    RESIDENT_A,
    RESIDENT_B,
    fixture_bytes,
    make_weibo_account,
)
from tests.conftest import Cast

TO_ME = "/2/comments/to_me.json"


def cursor(account: Account, stream: str = "comments_to_me") -> PollCursor:
    return PollCursor.objects.get(account=account, stream=stream)


def inbound_texts(account: Account) -> list[str]:
    messages = Message.objects.filter(resident__account=account, direction="in")
    return list(messages.order_by("sent_at", "id").values_list("text", flat=True))


def test_it_turns_a_comment_under_a_post_into_a_case_of_the_commenter(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    post = fake_weibo.add_post()
    comment = fake_weibo.add_comment(post, str(RESIDENT_A), "请问城南路现在能通行吗？")

    report = poll_account(authorised)

    assert (report.stored, report.processed, report.failed_streams) == (1, 1, ())
    case = Case.objects.get(resident__external_id=f"public:{RESIDENT_A}")
    [message] = case.messages.filter(direction="in")
    assert message.attributes["comment_id"] == comment
    assert message.attributes["status_id"] == post
    assert int(comment) > 2**53
    assert cursor(authorised).since_id == comment


def test_two_polls_store_every_comment_once_and_miss_none(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(RESIDENT_A), "第一条")
    poll_account(authorised)
    fake_weibo.add_comment(post, str(RESIDENT_B), "第二条")
    fake_weibo.add_comment(post, str(RESIDENT_A), "第三条")

    report = poll_account(authorised)

    assert report.stored == 2
    assert inbound_texts(authorised) == ["第一条", "第二条", "第三条"]
    [first_call, *_rest] = [c for c in fake_weibo.calls_to(TO_ME)][1:]
    assert int(first_call.params["since_id"]) > 2**53


def test_a_poll_cut_off_by_a_failed_page_loses_and_repeats_nothing_on_the_next(
    authorised: Account, fake_weibo: FakeWeiboAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poll, "PAGE_SIZE", 2)
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(RESIDENT_A), "旧评论")
    poll_account(authorised)
    since = cursor(authorised).since_id
    for number in range(5):
        fake_weibo.add_comment(post, str(RESIDENT_B), f"新评论{number}")
    fake_weibo.fail_next(TO_ME, kind="http_500", after=1)

    interrupted = poll_account(authorised)

    assert interrupted.failed_streams == ("comments_to_me",)
    assert cursor(authorised).since_id == since
    assert InboundDelivery.objects.filter(account=authorised).count() == 3

    resumed = poll_account(authorised)

    assert resumed.failed_streams == ()
    expected = ["旧评论"] + [f"新评论{number}" for number in range(5)]
    assert sorted(inbound_texts(authorised)) == sorted(expected)
    assert InboundDelivery.objects.filter(account=authorised).count() == 6
    assert not InboundDelivery.objects.exclude(status=DeliveryStatus.PROCESSED).exists()


def test_a_backlog_longer_than_the_page_bound_is_finished_by_the_next_polls(
    authorised: Account, fake_weibo: FakeWeiboAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poll, "PAGE_SIZE", 2)
    monkeypatch.setattr(poll, "MAX_PAGES", 2)
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(RESIDENT_A), "起点")
    poll_account(authorised)
    for number in range(7):
        fake_weibo.add_comment(post, str(RESIDENT_B), f"积压{number}")

    first = poll_account(authorised)
    fake_weibo.add_comment(post, str(RESIDENT_A), "期间新来的")
    later = [poll_account(authorised) for _poll in range(3)]

    assert first.stored == 4
    assert len(fake_weibo.calls_to(TO_ME)) <= 1 + 2 * 4
    texts = inbound_texts(authorised)
    assert len(texts) == len(set(texts)) == 9
    assert "期间新来的" in texts
    assert sum(report.stored for report in later) == 4
    assert cursor(authorised).resume_max_id == ""


def test_the_first_poll_takes_only_the_newest_page_not_the_whole_history(
    authorised: Account, fake_weibo: FakeWeiboAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poll, "PAGE_SIZE", 2)
    post = fake_weibo.add_post()
    for number in range(5):
        fake_weibo.add_comment(post, str(RESIDENT_A), f"历史{number}")

    report = poll_account(authorised)

    assert report.stored == 2
    assert len(fake_weibo.calls_to(TO_ME)) == 1


def test_a_comment_in_two_lists_becomes_one_message(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    post = fake_weibo.add_post()
    fake_weibo.add_comment(
        post, str(RESIDENT_A), "@城南派出所 这里有人打架", mentions_account=True
    )

    poll_account(authorised)

    assert inbound_texts(authorised) == ["@城南派出所 这里有人打架"]


def test_it_reads_posts_that_mention_the_account(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    status = fake_weibo.add_mention_post(str(RESIDENT_B), "@城南派出所 电动车被盗怎么报案？")

    poll_account(authorised)

    message = Message.objects.get(resident__external_id=f"public:{RESIDENT_B}", direction="in")
    assert message.attributes["status_id"] == status
    assert message.attributes["item_kind"] == "status"


def test_it_keeps_markup_in_a_residents_comment_literal(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    post = fake_weibo.add_post()
    text = '<script>alert("x")</script> &lt;b&gt; [CQ:at,qq=all] #话题# @某人 \x1d完'
    fake_weibo.add_comment(post, str(RESIDENT_A), text)

    poll_account(authorised)

    assert inbound_texts(authorised) == [text.replace("\x1d", "")]


def test_it_skips_a_null_and_an_unreadable_entry_with_a_warning_and_keeps_the_rest(
    authorised: Account, fake_weibo: FakeWeiboAPI, caplog: pytest.LogCaptureFixture
) -> None:
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(RESIDENT_A), "正常评论")
    poll_account(authorised)
    fake_weibo.add_raw("to_me", None)
    fake_weibo.add_raw("to_me", {"idstr": None, "id": 2**53 + 5, "text": "无编号"})
    author_missing = fake_weibo.add_raw("to_me", {})
    fake_weibo.add_raw("to_me", {"idstr": author_missing, "text": "无作者", "user": None})
    fake_weibo.add_comment(post, str(RESIDENT_B), "后面的评论")

    with caplog.at_level(logging.WARNING, logger="beatdesk.channels"):
        report = poll_account(authorised)

    assert report.failed_streams == ()
    assert inbound_texts(authorised) == ["正常评论", "后面的评论"]
    unreadable = InboundDelivery.objects.get(status=DeliveryStatus.UNPARSABLE)
    assert "author" in unreadable.error
    assert any("skipped=3" in record.getMessage() for record in caplog.records)
    assert not [record for record in caplog.records if record.exc_info]


def test_it_leaves_out_the_accounts_own_comments(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(authorised.original_id), "本账号的补充说明")

    poll_account(authorised)

    assert not Message.objects.exists()
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED


def test_an_expired_token_flags_the_account_and_stops_its_polls(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    fake_weibo.expire_tokens()

    report = poll_account(authorised)

    authorised.refresh_from_db()
    assert authorised.needs_attention == "weibo-token-invalid:21327"
    assert report.failed_streams == ("comments_to_me",)
    assert poll.accounts_to_poll() == []


def test_a_rate_limit_leaves_the_cursor_and_the_next_poll_carries_on(
    authorised: Account, fake_weibo: FakeWeiboAPI
) -> None:
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(RESIDENT_A), "第一条")
    poll_account(authorised)
    since = cursor(authorised).since_id
    fake_weibo.add_comment(post, str(RESIDENT_B), "第二条")
    fake_weibo.fail_next(TO_ME, error_code=10023)

    limited = poll_account(authorised)

    authorised.refresh_from_db()
    assert (limited.failed_streams, authorised.needs_attention) == (("comments_to_me",), "")
    assert cursor(authorised).since_id == since
    poll_account(authorised)
    assert inbound_texts(authorised) == ["第一条", "第二条"]


def test_the_hourly_call_budget_stops_a_poll_before_weibo_would(
    authorised: Account, fake_weibo: FakeWeiboAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        client, "CALLS_PER_HOUR", ratelimit.Limit("weibo.calls", 2, client.CALLS_PER_HOUR.window)
    )

    report = poll_account(authorised)

    assert report.failed_streams == ("statuses_mentions",)
    assert [call.path for call in fake_weibo.calls][1:] == [TO_ME, "/2/comments/mentions.json"]


def test_the_poll_command_reads_one_account_and_never_prints_its_token(
    authorised: Account, fake_weibo: FakeWeiboAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(RESIDENT_A), "命令行读取")

    call_command("weibo_poll", "--account", authorised.code)

    output = capsys.readouterr().out
    assert "station-a-weibo: stored=1 processed=1 failed=-" in output
    assert str(authorised.access_token.token) not in output


def test_the_worker_polls_every_five_minutes() -> None:
    from beatdesk.channels.weibo.tasks import poll_weibo

    schedule = poll_weibo.task_class()
    minutes = [m for m in range(60) if schedule.validate_datetime(datetime(2026, 12, 4, 9, m))]

    assert minutes == list(range(0, 60, 5))


def test_the_minute_sweep_finishes_an_item_whose_processing_was_cut_off(
    authorised: Account,
) -> None:
    page = parse_page(fixture_bytes("comments_to_me"), COMMENTS_TO_ME)
    item = page.items[0]
    payload = delivery_payload(COMMENTS_TO_ME, item)
    stored = store_delivery(
        authorised, delivery_key(COMMENTS_TO_ME, item), payload.encode(), payload
    )
    InboundDelivery.objects.filter(pk=stored.delivery.pk).update(
        received_at=timezone.now() - timedelta(minutes=5)
    )

    assert process_stale_deliveries() == 1

    message = Message.objects.get(delivery=stored.delivery)
    assert message.attributes["comment_id"] == "9007199254741013"


def test_one_accounts_broken_token_does_not_stop_the_others_poll(
    authorised: Account, fake_weibo: FakeWeiboAPI, cast: Cast
) -> None:
    other = make_weibo_account(cast.station_b, code="station-b-weibo")
    AccessToken.objects.create(account=other, token="2.00revoked", expires_at=None)
    post = fake_weibo.add_post()
    fake_weibo.add_comment(post, str(RESIDENT_A), "只有A站能读到")

    stored = poll_all()

    other.refresh_from_db()
    assert stored == 1
    assert other.needs_attention == "weibo-token-invalid:21301"
