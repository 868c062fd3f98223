"""Messages in both spellings (segments and CQ codes), hostile content, and broken bodies."""

import json
import logging

import pytest
from django.test import Client

from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery
from beatdesk.channels.onebot.peer import OneBotPeer, at, image, reply, text
from beatdesk.inbox.models import Message, MessageKind, Resident
from tests.channels.onebot.events import fixture, fixture_event, post
from tests.conftest import BOT_QQ


def inbound() -> list[Message]:
    return list(Message.objects.filter(direction="in").order_by("id"))


def test_it_reads_a_segment_array_as_napcat_sends_it(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    response = post(Client(), onebot_account, onebot_peer, fixture("group_message_array"))

    assert response.status_code == 204
    message = inbound()[0]
    assert message.text == "请问办理居住证要带什么材料？"
    assert message.kind == MessageKind.TEXT
    assert message.attributes["group_id"] == "20001"
    assert message.attributes["message_id"] == "100001"
    assert message.attributes["mentions"] == str(BOT_QQ)
    assert message.resident.external_id == "group:20001:10001"


def test_it_reads_the_same_kind_of_message_written_as_cq_codes_and_unescapes_it(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    response = post(Client(), onebot_account, onebot_peer, fixture("group_message_string"))

    assert response.status_code == 204
    message = inbound()[0]
    assert message.text == "小区门口的[共享单车]堆成山&没人管"
    assert message.attributes["mentions"] == str(BOT_QQ)
    assert message.case is not None


def test_it_reads_a_string_and_an_array_of_the_same_message_alike(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    segments = [at(BOT_QQ), text(" 有人在 [CQ:face,id=1] 附近&#91;吵架&#93;吗")]
    client = Client()

    post(client, onebot_account, onebot_peer, onebot_peer.group_message(10001, segments))
    string_event = onebot_peer.group_message(10002, segments, as_string=True)
    post(client, onebot_account, onebot_peer, string_event)

    first, second = inbound()
    assert first.text == second.text == "有人在 [CQ:face,id=1] 附近&#91;吵架&#93;吗"
    assert first.attributes["mentions"] == second.attributes["mentions"] == str(BOT_QQ)


def test_it_skips_a_null_segment_and_keeps_the_rest_of_the_message(
    onebot_account: Account, onebot_peer: OneBotPeer, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    earlier = onebot_peer.group_message(10001, "昨晚车被刮了怎么办", message_id=900001)
    post(client, onebot_account, onebot_peer, earlier)

    with caplog.at_level(logging.WARNING, logger="beatdesk.channels.onebot.anomalous"):
        response = post(client, onebot_account, onebot_peer, fixture("group_message_null_segment"))

    # It joins the case the replied-to question opened, so no new tracking code is owed.
    assert response.status_code == 204
    replied, message = inbound()
    assert message.case == replied.case
    assert message.text == "test"
    assert message.attributes["mentions"] == f"{BOT_QQ},{BOT_QQ}"
    assert message.attributes["reply_to"] == "900001"
    assert message.attributes["reply_to_message"] == str(replied.pk)
    assert message.attributes["skipped_segments"] == "1"
    assert "skipped=1" in caplog.text


@pytest.mark.parametrize(
    "broken",
    [{"type": "text"}, {"type": "text", "data": None}, {"data": {"text": "x"}}, "text", 7],
)
def test_it_skips_a_segment_without_type_or_data(
    onebot_account: Account, onebot_peer: OneBotPeer, broken: object
) -> None:
    event = onebot_peer.private_message(10001, [broken, text("我要报警")])

    response = post(Client(), onebot_account, onebot_peer, event)

    assert response.status_code == 204
    assert inbound()[0].text == "我要报警"


def test_it_keeps_ids_beyond_two_to_the_53_as_exact_text(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    big = 2**53 + 1
    number_event = onebot_peer.group_message(big, "请问这里能办身份证吗", group_id=big + 2)
    string_peer = OneBotPeer(BOT_QQ, onebot_peer.secret, string_ids=True)
    string_event = string_peer.private_message(big + 4, "在吗")

    post(Client(), onebot_account, onebot_peer, number_event)
    post(Client(), onebot_account, string_peer, string_event)

    ids = sorted(Resident.objects.values_list("external_id", flat=True))
    assert ids == [f"group:{big + 2}:{big}", f"private:{big + 4}"]


def test_it_removes_control_characters_and_lone_surrogates_and_keeps_the_rest(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    text = "投诉 \u001d\u0000楼上\ud800装修太吵😡"
    body = json.dumps(onebot_peer.private_message(10001, text), ensure_ascii=True).encode()

    response = post(Client(), onebot_account, onebot_peer, body)

    assert response.status_code == 204
    assert inbound()[0].text == "投诉 楼上装修太吵😡"


def test_it_reads_a_picture_as_a_picture_with_its_address(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    event = onebot_peer.private_message(10001, [image("https://multimedia.nt.qq.com.cn/x")])

    post(Client(), onebot_account, onebot_peer, event)

    message = inbound()[0]
    assert message.kind == MessageKind.IMAGE
    assert message.attributes["media_url"] == "https://multimedia.nt.qq.com.cn/x"


def test_it_links_nothing_when_the_replied_message_is_not_ours(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    event = onebot_peer.private_message(10001, [reply(123), text("补充一下地址")])

    post(Client(), onebot_account, onebot_peer, event)

    assert inbound()[0].attributes["reply_to"] == "123"
    assert "reply_to_message" not in inbound()[0].attributes


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"self_id": 30001}', "\u00ff".encode("latin-1"), b""],
)
def test_it_keeps_a_signed_but_unreadable_body_for_an_operator_and_answers_400(
    onebot_account: Account, onebot_peer: OneBotPeer, body: bytes
) -> None:
    response = post(Client(), onebot_account, onebot_peer, body)

    assert response.status_code == 400
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.UNPARSABLE
    assert bytes(delivery.raw_body) == body
    assert not Message.objects.exists()


@pytest.mark.parametrize("depth", [40, 20000])
def test_it_refuses_deeply_nested_json_without_a_crash(
    onebot_account: Account, onebot_peer: OneBotPeer, depth: int
) -> None:
    event = fixture_event("private_message")
    nested = "[" * depth + "]" * depth
    body = json.dumps(event, ensure_ascii=False)[:-1] + f',"extra":{nested}}}'

    response = post(Client(), onebot_account, onebot_peer, body.encode())

    assert response.status_code == 400
    assert InboundDelivery.objects.get().status == DeliveryStatus.UNPARSABLE
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("extra", "error"),
    [(',"post_type":"notice"', "duplicate_key"), (',"extra":NaN', "bad_number")],
)
def test_it_reads_json_as_strictly_as_the_api_and_keeps_the_body_for_an_operator(
    onebot_account: Account, onebot_peer: OneBotPeer, extra: str, error: str
) -> None:
    body = json.dumps(fixture_event("private_message"), ensure_ascii=False)[:-1] + extra + "}"

    response = post(Client(), onebot_account, onebot_peer, body.encode())

    assert response.status_code == 400
    delivery = InboundDelivery.objects.get()
    assert (delivery.status, delivery.error) == (DeliveryStatus.UNPARSABLE, error)
    assert not Message.objects.exists()


def test_it_answers_413_for_a_body_over_the_webhook_limit_and_stores_nothing(
    onebot_account: Account, onebot_peer: OneBotPeer, settings: object
) -> None:
    settings.WEBHOOK_MAX_BYTES = 2048  # type: ignore[attr-defined]
    event = onebot_peer.private_message(10001, "长" * 2000)

    response = post(Client(), onebot_account, onebot_peer, event)

    assert response.status_code == 413
    assert not InboundDelivery.objects.exists()
