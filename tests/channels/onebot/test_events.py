"""Notices, meta events, echoes, unknown events and repeats: acknowledged, stored once."""

import logging

import pytest
from django.test import Client
from django.utils import timezone

from beatdesk.channels import tasks
from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery
from beatdesk.channels.onebot.peer import OneBotPeer, encode
from beatdesk.inbox.models import Case, Message, MessageKind
from tests.channels.onebot.events import fixture, fixture_event, post
from tests.conftest import BOT_QQ


def test_it_records_a_member_joining_and_leaving_without_opening_a_case(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    client = Client()

    joined = post(client, onebot_account, onebot_peer, fixture("group_increase"))
    left = post(client, onebot_account, onebot_peer, fixture("group_decrease"))

    assert joined.status_code == left.status_code == 204
    events = list(Message.objects.order_by("id"))
    assert [(m.kind, m.attributes["sub_type"]) for m in events] == [
        (MessageKind.EVENT, "approve"),
        (MessageKind.EVENT, "leave"),
    ]
    assert {m.resident.external_id for m in events} == {"group:20001:10002"}
    assert not Case.objects.exists()


@pytest.mark.parametrize("name", ["heartbeat", "lifecycle"])
def test_it_acknowledges_meta_events_without_storing_them(
    onebot_account: Account, onebot_peer: OneBotPeer, name: str
) -> None:
    response = post(Client(), onebot_account, onebot_peer, fixture(name))

    assert response.status_code == 204
    assert not InboundDelivery.objects.exists()


def test_it_ignores_the_bots_own_message_sent_echo(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    response = post(Client(), onebot_account, onebot_peer, fixture("message_sent"))

    assert response.status_code == 204
    assert not InboundDelivery.objects.exists()
    assert not Message.objects.exists()


def test_it_ignores_a_message_reported_as_coming_from_the_bot_itself(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    event = onebot_peer.group_message(BOT_QQ, "【Unit station-a】请问还有什么问题吗？")

    response = post(Client(), onebot_account, onebot_peer, event)

    assert response.status_code == 204
    assert not Message.objects.exists()


def test_it_stores_an_unsupported_event_raw_and_logs_it_without_personal_data(
    onebot_account: Account, onebot_peer: OneBotPeer, caplog: pytest.LogCaptureFixture
) -> None:
    body = fixture("friend_request")

    with caplog.at_level(logging.INFO, logger="beatdesk.channels.onebot.unsupported"):
        response = post(Client(), onebot_account, onebot_peer, body)

    assert response.status_code == 204
    delivery = InboundDelivery.objects.get()
    assert bytes(delivery.raw_body) == body
    assert delivery.status == DeliveryStatus.PROCESSED
    assert not Message.objects.exists()
    records = [r for r in caplog.records if r.name == "beatdesk.channels.onebot.unsupported"]
    assert len(records) == 1
    assert "10002" not in caplog.text
    assert "住户" not in caplog.text


def test_it_stores_an_invented_post_type_and_notice_type_raw(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    client = Client()
    invented = fixture_event("heartbeat") | {"post_type": "Something New!", "detail": "x"}
    recall = fixture_event("group_increase") | {"notice_type": "group_recall", "message_id": 5}

    first = post(client, onebot_account, onebot_peer, invented)
    second = post(client, onebot_account, onebot_peer, recall)

    assert first.status_code == second.status_code == 204
    assert InboundDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 2
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "name", ["group_message_array", "private_message", "group_increase", "friend_request"]
)
def test_it_creates_exactly_one_record_for_a_repeated_event(
    onebot_account: Account, onebot_peer: OneBotPeer, name: str
) -> None:
    client = Client()
    post(client, onebot_account, onebot_peer, fixture(name))

    repeat = post(client, onebot_account, onebot_peer, fixture(name))

    assert repeat.status_code == 204
    assert InboundDelivery.objects.count() == 1
    assert Message.objects.filter(direction="in").count() <= 1
    assert Case.objects.count() <= 1


def test_it_keeps_two_chats_messages_with_the_same_id_and_time_apart(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    client = Client()
    first = onebot_peer.group_message(10001, "请问", group_id=20001, message_id=7, when=1764835200)
    second = onebot_peer.group_message(
        10002, "请问", group_id=20002, message_id=7, when=1764835200
    )

    post(client, onebot_account, onebot_peer, first)
    post(client, onebot_account, onebot_peer, second)

    assert Message.objects.count() == 2 + Message.objects.filter(is_automatic=True).count()
    assert Case.objects.count() == 2


def test_it_acknowledges_an_event_whose_processing_failed_and_the_sweep_finishes_it(
    onebot_account: Account, onebot_peer: OneBotPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("inbox unavailable")

    monkeypatch.setattr("beatdesk.channels.onebot.adapter.do_receive_message", broken)
    response = post(
        Client(), onebot_account, onebot_peer, encode(fixture_event("private_message"))
    )
    assert response.status_code == 204
    assert InboundDelivery.objects.get().status == DeliveryStatus.RECEIVED

    monkeypatch.undo()
    InboundDelivery.objects.update(received_at=timezone.now() - tasks.STALE_DELIVERY * 2)
    tasks.process_stale_deliveries()

    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert Case.objects.count() == 1
