"""Each event type the platform pushes is stored once and reaches the inbox as it should."""

import json
import logging
from datetime import UTC, datetime

import pytest
from django.test import Client

from beatdesk.channels.models import (
    Account,
    DeliveryStatus,
    InboundDelivery,
    OutboxMessage,
)
from beatdesk.channels.qqbot.peer import QQBotPeer, encode
from beatdesk.inbox.models import Case, Message, MessageKind, Resident
from tests.channels.qqbot.conftest import GROUP, RESIDENT_A, RESIDENT_B
from tests.channels.qqbot.events import fixture, fixture_event, post


def test_it_opens_a_case_for_a_private_message_and_queues_its_tracking_code(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    post(Client(), qqbot_account, qqbot_peer, fixture("c2c_message_create"))

    message = Message.objects.get(direction="in")
    assert message.resident.external_id == f"c2c:{RESIDENT_A}"
    assert message.sent_at == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    assert message.attributes["message_id"].startswith("ROBOT1.0_.b6nx")
    case = Case.objects.get()
    reply = OutboxMessage.objects.get()
    assert reply.recipient == f"c2c:{RESIDENT_A}"
    assert case.tracking_code in reply.payload["text"]


def test_it_opens_a_case_for_a_group_mention_as_that_members_case_in_that_group(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    post(Client(), qqbot_account, qqbot_peer, fixture("group_at_message_create"))

    message = Message.objects.get(direction="in")
    assert message.text == "请问小区门口的监控坏了找谁报修？"
    assert message.resident.external_id == f"group:{GROUP}:{RESIDENT_A}"
    assert message.attributes["group_openid"] == GROUP
    assert Case.objects.get().resident == message.resident
    assert OutboxMessage.objects.get().recipient == f"group:{GROUP}:{RESIDENT_A}"


@pytest.mark.parametrize(
    ("name", "external_id"),
    [
        ("group_add_robot", f"group:{GROUP}:{RESIDENT_A}"),
        ("group_del_robot", f"group:{GROUP}:{RESIDENT_A}"),
        ("friend_add", f"c2c:{RESIDENT_A}"),
    ],
)
def test_it_keeps_membership_events_as_events_without_a_case(
    qqbot_account: Account, qqbot_peer: QQBotPeer, name: str, external_id: str
) -> None:
    response = post(Client(), qqbot_account, qqbot_peer, fixture(name))

    assert json.loads(response.content) == {"op": 12}
    message = Message.objects.get()
    scene = external_id.split(":")[0]
    assert (message.kind, message.attributes["scene"]) == (MessageKind.EVENT, scene)
    assert message.resident.external_id == external_id
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("name", ["at_message_create", "interaction_create"])
def test_it_stores_and_acknowledges_events_it_does_not_handle_without_a_case(
    qqbot_account: Account,
    qqbot_peer: QQBotPeer,
    name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="beatdesk.channels.qqbot.unsupported"):
        response = post(Client(), qqbot_account, qqbot_peer, fixture(name))

    assert json.loads(response.content) == {"op": 12}
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.raw_body == fixture(name)
    assert not Message.objects.exists()
    assert name.upper() in caplog.text


def test_it_stores_an_event_type_nobody_has_seen_yet(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    envelope = {"op": 0, "id": "NEW_THING:1", "d": {"x": [1, 2]}, "t": "NEW_THING_CREATE"}

    response = post(Client(), qqbot_account, qqbot_peer, envelope)

    assert response.status_code == 200
    assert InboundDelivery.objects.get().delivery_key == "event:NEW_THING:1"
    assert not Resident.objects.exists()


def test_it_turns_the_same_event_posted_twice_into_one_message(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    body = fixture("c2c_message_create")

    first = post(Client(), qqbot_account, qqbot_peer, body)
    second = post(Client(), qqbot_account, qqbot_peer, body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert json.loads(second.content) == {"op": 12}
    assert Message.objects.filter(direction="in").count() == 1
    assert OutboxMessage.objects.count() == 1


def test_it_turns_the_same_message_pushed_under_a_new_event_id_into_one_message(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    first = fixture_event("c2c_message_create")
    again = first | {"id": "C2C_MESSAGE_CREATE:pushed-again"}

    post(Client(), qqbot_account, qqbot_peer, first)
    post(Client(), qqbot_account, qqbot_peer, again)

    assert Message.objects.filter(direction="in").count() == 1


def test_it_keeps_two_residents_apart_when_their_messages_arrive_together(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    moment = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    a = qqbot_peer.c2c_message(RESIDENT_A, "有人在楼道里打架", when=moment)
    b = qqbot_peer.c2c_message(RESIDENT_B, "有人在楼道里打架", when=moment)

    post(Client(), qqbot_account, qqbot_peer, a)
    post(Client(), qqbot_account, qqbot_peer, b)

    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script> 我家门口 & 楼下",
        "[CQ:at,qq=all] <@!1234> **加粗** [链接](http://127.0.0.1/x)",
        '=HYPERLINK("http://127.0.0.1/x","点此")',
    ],
)
def test_it_keeps_markup_in_a_residents_text_literal(
    qqbot_account: Account, qqbot_peer: QQBotPeer, text: str
) -> None:
    post(Client(), qqbot_account, qqbot_peer, qqbot_peer.c2c_message(RESIDENT_A, text))

    assert Message.objects.get(direction="in").text == text


@pytest.mark.parametrize("character", ["\u001d", "\u0008", "\ufffe"])
def test_it_removes_a_control_character_and_keeps_the_rest_of_the_text(
    qqbot_account: Account, qqbot_peer: QQBotPeer, character: str
) -> None:
    envelope = qqbot_peer.c2c_message(RESIDENT_A, f"报警 {character} 有人打架")

    response = post(Client(), qqbot_account, qqbot_peer, envelope)

    assert response.status_code == 200
    assert Message.objects.get(direction="in").text == "报警  有人打架"


def test_it_skips_a_null_attachment_with_a_warning_and_keeps_the_rest_of_the_message(
    qqbot_account: Account, qqbot_peer: QQBotPeer, caplog: pytest.LogCaptureFixture
) -> None:
    # The QQ bot form of H2: a list from the platform with a bare null in it.
    picture = {"content_type": "image/jpeg", "url": "https://multimedia.nt.qq.com/x.jpg"}
    envelope = qqbot_peer.c2c_message(RESIDENT_A, "  看这张图 ", attachments=[None, picture])  # type: ignore[list-item]

    with caplog.at_level(logging.WARNING, logger="beatdesk.channels.qqbot.anomalous"):
        response = post(Client(), qqbot_account, qqbot_peer, envelope)

    assert response.status_code == 200
    message = Message.objects.get(direction="in")
    assert message.text == "看这张图"
    assert message.attributes["media_url"] == picture["url"]
    assert message.attributes["skipped_attachments"] == "1"
    assert "skipped=1" in caplog.text


def test_it_files_a_picture_without_text_as_a_picture(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    picture = {"content_type": "image/png", "url": "https://multimedia.nt.qq.com/y.png"}
    envelope = qqbot_peer.c2c_message(RESIDENT_A, "", attachments=[picture])

    post(Client(), qqbot_account, qqbot_peer, envelope)

    assert Message.objects.get(direction="in").kind == MessageKind.IMAGE


@pytest.mark.parametrize(
    "body",
    [
        b'{"op":0,"id":"X:1","t":"C2C_MESSAGE_CREATE","d":',
        b'{"op":0,"op":0,"id":"X:1","t":"C2C_MESSAGE_CREATE","d":{}}',
        b'{"op":0,"id":"X:1","t":"C2C_MESSAGE_CREATE","d":null}',
        b'{"op":0,"id":"X:1","t":"C2C_MESSAGE_CREATE","d":{"author":{},"id":"m1"}}',
        b'{"op":NaN}',
        b"[0]",
        b'{"op":0,"d":' + b"[" * 40 + b"]" * 40 + b"}",
    ],
)
def test_it_keeps_a_signed_but_unreadable_body_for_an_operator_and_answers_400(
    qqbot_account: Account, qqbot_peer: QQBotPeer, body: bytes
) -> None:
    response = post(Client(), qqbot_account, qqbot_peer, body)

    assert response.status_code == 400
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.UNPARSABLE
    assert delivery.raw_body == body
    assert not Message.objects.exists()


def test_it_refuses_a_body_over_the_size_limit_before_reading_it(
    qqbot_account: Account, qqbot_peer: QQBotPeer, settings: object
) -> None:
    settings.WEBHOOK_MAX_BYTES = 2048  # type: ignore[attr-defined]
    envelope = qqbot_peer.c2c_message(RESIDENT_A, "长" * 2000)

    response = post(Client(), qqbot_account, qqbot_peer, encode(envelope))

    assert response.status_code == 413
    assert not InboundDelivery.objects.exists()
