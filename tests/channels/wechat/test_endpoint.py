"""The WeChat endpoint, driven with real signed and encrypted pushes."""

import logging

import pytest
from django.test import Client

from beatdesk.channels import outbox
from beatdesk.channels.models import (
    Account,
    DeliveryStatus,
    InboundDelivery,
    OutboxMessage,
    SecurityMode,
)
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer, fields
from beatdesk.inbox.models import Case, Message, MessageKind
from tests.channels.wechat.pushes import post_raw, push
from tests.conftest import Cast, make_wechat_account

ANNA = "oFAKE_A"
BO = "oFAKE_B"


def inbound_messages() -> list[Message]:
    return list(Message.objects.filter(direction="in").order_by("id"))


def test_it_answers_url_verification_with_the_echostr(account: Account, peer: WeChatPeer) -> None:
    query = peer.verification_query("echo-123")

    response = Client().get(account.endpoint, query)

    assert response.status_code == 200
    assert response.content == b"echo-123"


def test_it_refuses_url_verification_with_a_wrong_signature(
    account: Account, peer: WeChatPeer
) -> None:
    query = peer.verification_query("echo-123") | {"signature": "0" * 40}

    assert Client().get(account.endpoint, query).status_code == 403


def test_it_opens_a_case_for_a_safe_mode_text_and_sends_the_tracking_code_separately(
    account: Account, peer: WeChatPeer, fake_wechat: FakeWeChatAPI
) -> None:
    xml = peer.build_text(ANNA, "你好，我的电动车昨晚被偷了😭", msg_id=24000000000000001)

    response, _query = push(Client(), account, peer, xml)
    fake_wechat.note_user_message(ANNA)
    outbox.relay_due()

    assert (response.status_code, response.content) == (200, b"success")
    case = Case.objects.get()
    [sent] = fake_wechat.sent_texts(ANNA)
    assert case.tracking_code in sent
    assert [m.text for m in inbound_messages()] == ["你好，我的电动车昨晚被偷了😭"]
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED


def test_it_reads_compatible_mode_from_the_encrypted_part_and_answers_in_it(
    account: Account, peer: WeChatPeer
) -> None:
    client = Client()
    xml = peer.build_text(ANNA, "请问户口迁移要带什么材料", msg_id=1)

    push(client, account, peer, xml, mode="compatible")
    welcome, query = push(client, account, peer, peer.build_event(BO, "subscribe"), "compatible")

    assert inbound_messages()[0].text == "请问户口迁移要带什么材料"
    assert peer.open_reply(welcome.content, query, mode="compatible") is not None


def test_it_joins_a_second_message_to_the_residents_open_case(
    account: Account, peer: WeChatPeer
) -> None:
    client = Client()
    push(client, account, peer, peer.build_text(ANNA, "在吗", msg_id=1))

    response, _query = push(client, account, peer, peer.build_text(ANNA, "有人吗?", msg_id=2))

    assert response.content == b"success"
    assert Case.objects.count() == 1
    assert Case.objects.get().messages.filter(direction="in").count() == 2


def test_it_refuses_a_plain_push_to_an_account_that_requires_encryption(
    account: Account, peer: WeChatPeer
) -> None:
    response, _query = push(Client(), account, peer, peer.build_text(ANNA, "hi", 1), "plain")

    assert response.status_code == 403
    assert not InboundDelivery.objects.exists()


def test_it_accepts_plain_mode_only_where_an_administrator_accepted_it(
    cast: Cast, peer: WeChatPeer
) -> None:
    account = make_wechat_account(
        cast.station_a, mode=SecurityMode.PLAIN, plain_mode_accepted_by=cast.center_operator
    )

    response, _query = push(Client(), account, peer, peer.build_text(ANNA, "hi", 1), "plain")

    assert (response.status_code, response.content) == (200, b"success")
    assert inbound_messages()[0].text == "hi"


@pytest.mark.parametrize("control", ["\x1d", "\x08", "\ufffe", "\x00", "\x0b"])
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_it_keeps_a_message_whose_text_holds_a_control_character(
    cast: Cast, peer: WeChatPeer, control: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    account = make_wechat_account(cast.station_a, plain_mode_accepted_by=cast.center_operator)
    if mode == "plain":
        Account.objects.filter(pk=account.pk).update(security_mode=SecurityMode.PLAIN)
        account.refresh_from_db()
    xml = peer.build_text(ANNA, f"报警 {control} 有人打架", msg_id=7)

    response, _query = push(Client(), account, peer, xml, mode)  # type: ignore[arg-type]

    assert response.status_code == 200
    assert [m.text for m in inbound_messages()] == ["报警  有人打架"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_it_keeps_two_residents_messages_that_share_a_msgid_and_time(
    account: Account, peer: WeChatPeer
) -> None:
    client = Client()
    first = peer.build_text(ANNA, "我要报案", msg_id=24000000000000001, create_time=1700000000)
    second = peer.build_text(BO, "我也要报案", msg_id=24000000000000001, create_time=1700000000)

    push(client, account, peer, first)
    push(client, account, peer, second)
    retry, _query = push(client, account, peer, first)

    assert retry.status_code == 200
    assert [m.text for m in inbound_messages()] == ["我要报案", "我也要报案"]
    assert Case.objects.count() == 2


def test_it_answers_a_retry_with_the_same_reply_and_stores_nothing_new(
    account: Account, peer: WeChatPeer
) -> None:
    client = Client()
    xml = peer.build_text(ANNA, "救命，有人拿刀在砍人，现在还在追我", msg_id=99)

    first, first_query = push(client, account, peer, xml)
    retries = [push(client, account, peer, xml) for _ in range(3)]

    replies = [peer.open_reply(r.content, q) for r, q in [(first, first_query), *retries]]
    contents = {fields(reply)["Content"] for reply in replies if reply}
    assert all(replies) and len(contents) == 1
    assert "110" in contents.pop()
    assert InboundDelivery.objects.count() == 1
    assert Message.objects.filter(direction="out").count() == 1
    assert OutboxMessage.objects.count() == 1


def test_it_keeps_the_same_event_from_two_residents_in_the_same_second(
    account: Account, peer: WeChatPeer
) -> None:
    client = Client()
    for openid in (ANNA, BO, ANNA):
        push(client, account, peer, peer.build_event(openid, "subscribe", create_time=1700000000))

    events = inbound_messages()
    assert [(m.resident.external_id, m.kind) for m in events] == [
        (ANNA, MessageKind.EVENT),
        (BO, MessageKind.EVENT),
    ]
    assert not Case.objects.exists()


def test_it_welcomes_a_new_follower(account: Account, peer: WeChatPeer) -> None:
    response, query = push(Client(), account, peer, peer.build_event(ANNA, "subscribe"))

    reply = peer.open_reply(response.content, query)
    assert reply is not None
    assert "110" in fields(reply)["Content"]


@pytest.mark.parametrize(
    ("build", "kind", "text"),
    [
        (lambda p: p.build_image(ANNA, "http://127.0.0.1/p.jpg", "media-1", 11), "image", ""),
        (
            lambda p: p.build_voice(ANNA, "media-2", "amr", 12, recognition="有人吵架"),
            "voice",
            "有人吵架",
        ),
        (lambda p: p.build_video(ANNA, "media-3", "thumb-3", 13), "video", ""),
        (
            lambda p: p.build_location(ANNA, 30.27, 120.15, 15, "西湖区文三路", 15),
            "location",
            "西湖区文三路",
        ),
        (
            lambda p: p.build_link(ANNA, "反诈提醒", "转发", "http://127.0.0.1/a", 14),
            "link",
            "反诈提醒",
        ),
    ],
)
def test_it_stores_each_message_type_in_a_case(
    account: Account, peer: WeChatPeer, build: object, kind: str, text: str
) -> None:
    xml = build(peer)  # type: ignore[operator]

    response, _query = push(Client(), account, peer, xml)

    assert response.status_code == 200
    message = inbound_messages()[0]
    assert (message.kind, message.text) == (kind, text)
    assert message.case is not None


@pytest.mark.parametrize("event", ["unsubscribe", "CLICK", "VIEW", "LOCATION", "SCAN"])
def test_it_stores_each_event_without_opening_a_case(
    account: Account, peer: WeChatPeer, event: str
) -> None:
    extra = (
        {"Latitude": "30.1", "Longitude": "120.2", "Precision": "65"}
        if event == "LOCATION"
        else None
    )
    xml = peer.build_event(ANNA, event, key="MENU_POLICE_INFO", extra=extra)

    response, _query = push(Client(), account, peer, xml)

    assert response.status_code == 200
    message = inbound_messages()[0]
    assert message.kind == MessageKind.EVENT
    assert message.case is None


def test_it_stores_an_unknown_type_and_logs_it_on_its_own_logger(
    account: Account, peer: WeChatPeer, caplog: pytest.LogCaptureFixture
) -> None:
    xml = peer.build_event(ANNA, "FOO_BAR")
    caplog.set_level(logging.INFO, logger="beatdesk.channels.wechat.unsupported")

    response, _query = push(Client(), account, peer, xml)

    assert response.content == b"success"
    assert inbound_messages()[0].kind == MessageKind.UNKNOWN
    assert any(r.name == "beatdesk.channels.wechat.unsupported" for r in caplog.records)


def test_it_refuses_a_wrong_signature_and_writes_nothing(
    account: Account, peer: WeChatPeer
) -> None:
    xml = peer.build_text(ANNA, "hi", 1)

    response, _query = push(Client(), account, peer, xml, signature="f" * 40)

    assert response.status_code == 403
    assert not InboundDelivery.objects.exists()
    assert not Message.objects.exists()


def test_it_refuses_a_missing_signature(account: Account, peer: WeChatPeer) -> None:
    query, body = peer.signed_request(peer.build_text(ANNA, "hi", 1), "safe")
    del query["signature"], query["msg_signature"]

    assert post_raw(Client(), account, query, body).status_code == 403
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_wrong_msg_signature(account: Account, peer: WeChatPeer) -> None:
    response, _query = push(
        Client(), account, peer, peer.build_text(ANNA, "hi", 1), msg_signature="0" * 40
    )

    assert response.status_code == 403
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_stale_timestamp(account: Account, peer: WeChatPeer) -> None:
    query, body = peer.signed_request(peer.build_text(ANNA, "hi", 1), "safe", timestamp="1000")

    assert post_raw(Client(), account, query, body).status_code == 403
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_replayed_nonce_carrying_another_body(
    account: Account, peer: WeChatPeer
) -> None:
    client, plain = Client(), make_plain(account)
    query, body = peer.signed_request(peer.build_text(ANNA, "hi", 1), "plain")
    forged = peer.build_text(BO, "forged", 2).encode()

    assert post_raw(client, plain, query, body).status_code == 200
    assert post_raw(client, plain, query, forged).status_code == 403
    assert [m.text for m in inbound_messages()] == ["hi"]


def make_plain(account: Account) -> Account:
    from beatdesk.units.models import User

    approver = User.objects.get(username="center_chen")
    Account.objects.filter(pk=account.pk).update(
        security_mode=SecurityMode.PLAIN, plain_mode_accepted_by=approver
    )
    account.refresh_from_db()
    return account


def test_it_refuses_a_body_over_64_kib_and_writes_nothing(
    account: Account, peer: WeChatPeer
) -> None:
    xml = peer.build_text(ANNA, "长" * 30000, msg_id=5)

    response, _query = push(Client(), account, peer, xml)

    assert response.status_code == 413
    assert not InboundDelivery.objects.exists()


def test_it_answers_404_for_an_unknown_account(peer: WeChatPeer, db: None) -> None:
    response = Client().get("/hooks/wechat/no-such-account/", peer.verification_query("x"))

    assert response.status_code == 404


ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    "<xml><ToUserName>gh_x</ToUserName><FromUserName>oFAKE_A</FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType>"
    "<Content>&lol2;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
    "<xml><FromUserName>oFAKE_A</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&ext;</Content><MsgId>1</MsgId></xml>"
)


@pytest.mark.parametrize("hostile", [ENTITY_BOMB, EXTERNAL_ENTITY])
def test_it_never_expands_entities_and_keeps_the_push_raw_for_an_operator(
    account: Account, peer: WeChatPeer, hostile: str
) -> None:
    response, _query = push(Client(), account, peer, hostile)

    assert response.content == b"success"
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.UNPARSABLE
    assert "root:" not in delivery.payload
    assert not Message.objects.exists()


def test_it_keeps_an_authentic_push_of_broken_xml_and_flags_it(
    account: Account, peer: WeChatPeer
) -> None:
    broken = "<xml><FromUserName>oFAKE_A</FromUserName><Content>半截"

    response, _query = push(Client(), account, peer, broken)

    assert response.status_code == 200
    assert response.content == b"success"
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.UNPARSABLE
    assert bytes(delivery.raw_body)


def test_it_refuses_an_unsigned_push_even_with_debug_on(
    account: Account, peer: WeChatPeer, settings: object
) -> None:
    # No setting turns verification off: not DEBUG, not development mode.
    settings.DEBUG = True  # type: ignore[attr-defined]
    query, body = peer.signed_request(peer.build_text(ANNA, "hi", 1), "safe")
    unsigned = {k: v for k, v in query.items() if k not in {"signature", "msg_signature"}}

    assert post_raw(Client(), account, unsigned, body).status_code == 403
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize(
    ("openid", "msg_id", "create_time"),
    [
        (ANNA, 1, 253402300800),
        (ANNA, 1, 10**20),
        ("o" * 300, 1, 1700000000),
        (ANNA, int("9" * 250), 1700000000),
    ],
)
def test_it_keeps_an_authentic_push_with_absurd_values_raw_instead_of_failing(
    account: Account, peer: WeChatPeer, openid: str, msg_id: int, create_time: int
) -> None:
    xml = peer.build_text(openid, "t", msg_id, create_time)

    response, _query = push(Client(), account, peer, xml)

    assert (response.status_code, response.content) == (200, b"success")
    assert InboundDelivery.objects.get().status == DeliveryStatus.UNPARSABLE
    assert not Message.objects.exists()
