"""After an outage, QQ messages that never reached us are read back from the bot's history.

NapCat posts each event once. Residents keep writing while Beatdesk is down; the fake OneBot
API keeps every chat's history, as NapCat does, and only some events are posted to us.
Reconciling must store every missed message once and none of the received ones again.
"""

import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from beatdesk.channels.models import Account, InboundDelivery, OutboxMessage
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer, at, text
from beatdesk.channels.onebot.reconcile import PAGE_SIZE, reconcile_account
from beatdesk.inbox.models import Case, Message
from tests.channels.onebot.events import post
from tests.conftest import BOT_QQ

GROUP = 20001
WINDOW = timedelta(hours=1)


@pytest.fixture
def watched(onebot_account: Account, fake_onebot: FakeOneBotAPI) -> Account:
    onebot_account.channel_settings = {"groups": {str(GROUP): {"keywords": []}}}
    onebot_account.save(update_fields=["channel_settings"])
    return onebot_account


def written(fake: FakeOneBotAPI, event: dict[str, Any]) -> dict[str, Any]:
    """A resident wrote: the bot's client has it in the chat's history whatever we got."""
    fake.remember(event)
    return event


def group_messages(peer: OneBotPeer, count: int, start: int) -> list[dict[str, Any]]:
    now = int(time.time())
    return [
        peer.group_message(
            10001 + number % 3,
            [at(BOT_QQ), text(f"请问第{number}个问题：身份证怎么补办？")],
            group_id=GROUP,
            message_id=start + number,
            when=now - 600 + number,
        )
        for number in range(count)
    ]


def inbound_count() -> int:
    return Message.objects.filter(direction="in").count()


def test_every_message_missed_during_an_outage_is_recovered_once(
    watched: Account, fake_onebot: FakeOneBotAPI, onebot_peer: OneBotPeer
) -> None:
    events = [written(fake_onebot, event) for event in group_messages(onebot_peer, 12, 500)]
    # Before the outage and after it, the pushes reach us; the middle six never do.
    for event in events[:3] + events[9:]:
        assert post(Client(), watched, onebot_peer, event).status_code in {200, 204}

    report = reconcile_account(watched, WINDOW)

    assert (report.read, report.recovered) == (12, 6)
    assert InboundDelivery.objects.count() == 12
    assert inbound_count() == 12


def test_reconciling_twice_recovers_nothing_the_second_time(
    watched: Account, fake_onebot: FakeOneBotAPI, onebot_peer: OneBotPeer
) -> None:
    for event in group_messages(onebot_peer, 5, 600):
        written(fake_onebot, event)

    first = reconcile_account(watched, WINDOW)
    second = reconcile_account(watched, WINDOW)

    assert (first.recovered, second.recovered) == (5, 0)
    assert inbound_count() == 5


def test_a_long_outage_is_read_back_page_by_page(
    watched: Account, fake_onebot: FakeOneBotAPI, onebot_peer: OneBotPeer
) -> None:
    count = PAGE_SIZE * 2 + 7
    for event in group_messages(onebot_peer, count, 700):
        written(fake_onebot, event)

    report = reconcile_account(watched, WINDOW)

    assert report.recovered == count
    assert len(fake_onebot.calls_to("get_group_msg_history")) >= 3
    recovered = Message.objects.filter(direction="in").order_by("id")
    assert [m.attributes["message_id"] for m in recovered] == [str(700 + n) for n in range(count)]


def test_messages_older_than_the_window_are_left_alone(
    watched: Account, fake_onebot: FakeOneBotAPI, onebot_peer: OneBotPeer
) -> None:
    old = onebot_peer.group_message(
        10001, [at(BOT_QQ), text("上周的问题")], group_id=GROUP, when=int(time.time()) - 7200
    )
    written(fake_onebot, old)

    report = reconcile_account(watched, WINDOW)

    assert report.recovered == 0
    assert not InboundDelivery.objects.exists()


def test_a_private_chat_of_a_known_resident_is_read_back_too(
    watched: Account, fake_onebot: FakeOneBotAPI, onebot_peer: OneBotPeer
) -> None:
    before = written(fake_onebot, onebot_peer.private_message(10002, "你好，在吗", message_id=801))
    post(Client(), watched, onebot_peer, before)
    written(fake_onebot, onebot_peer.private_message(10002, "我的电动车被偷了", message_id=802))

    report = reconcile_account(watched, WINDOW)

    assert report.recovered == 1
    assert len(fake_onebot.calls_to("get_friend_msg_history")) == 1
    assert inbound_count() == 2


def test_a_recovered_emergency_still_gets_its_110_answer_through_the_outbox(
    watched: Account, fake_onebot: FakeOneBotAPI, onebot_peer: OneBotPeer
) -> None:
    written(
        fake_onebot,
        onebot_peer.group_message(
            10001, [at(BOT_QQ), text("救命！有人拿刀在砍人，就在小区门口！")], group_id=GROUP
        ),
    )

    reconcile_account(watched, WINDOW)

    case = Case.objects.get()
    assert case.priority == 3 or case.emergency_reason
    [answer] = OutboxMessage.objects.all()
    assert "请立即拨打110" in answer.payload["text"]
    assert case.tracking_code in answer.payload["text"]


def test_a_chat_whose_history_fails_is_counted_and_the_command_exits_1(
    watched: Account, fake_onebot: FakeOneBotAPI, onebot_peer: OneBotPeer
) -> None:
    written(fake_onebot, group_messages(onebot_peer, 1, 900)[0])
    fake_onebot.fail_next("get_group_msg_history", retcode=200)

    with pytest.raises(CommandError, match="could not be read"):
        call_command("onebot_reconcile", "--account", watched.code)

    assert not InboundDelivery.objects.exists()


def test_the_command_reports_what_it_recovered(
    watched: Account,
    fake_onebot: FakeOneBotAPI,
    onebot_peer: OneBotPeer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for event in group_messages(onebot_peer, 2, 950):
        written(fake_onebot, event)

    call_command("onebot_reconcile", "--minutes", "30")

    assert "recovered: 2" in capsys.readouterr().out


def test_the_command_refuses_an_unknown_account_and_a_silly_window(db: None) -> None:
    with pytest.raises(CommandError, match="no QQ"):
        call_command("onebot_reconcile", "--account", "nowhere")
    with pytest.raises(CommandError, match="between 1 and"):
        call_command("onebot_reconcile", "--minutes", "0")
