"""The fan-service entry view: signed verification and pushes, stored raw, answered at once.

Weibo signs the query of every request with the app secret; nothing unsigned, signed with
another secret, stale or replayed with another body gets in, in any environment.
"""

import json
import time
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from django.http import HttpResponse
from django.test import Client

from beatdesk.channels import outbox
from beatdesk.channels.models import (
    Account,
    ChannelContact,
    DeliveryStatus,
    InboundDelivery,
    OutboxMessage,
)
from beatdesk.channels.weibo.fake_api import FakeWeiboAPI
from beatdesk.channels.weibo.peer import WeiboPushPeer, encode
from beatdesk.inbox.models import Case, Message, Priority
from tests.channels.weibo.conftest import ACCOUNT_UID, RESIDENT_A, RESIDENT_B, fixture_bytes


def push(
    account: Account,
    peer: WeiboPushPeer,
    body: dict[str, Any] | bytes,
    query: dict[str, str] | None = None,
) -> HttpResponse:
    data = body if isinstance(body, bytes) else encode(body)
    address = f"{account.endpoint}?{urlencode(query or peer.signed_query())}"
    response = Client().post(address, data=data, content_type="application/json")
    return response  # type: ignore[return-value]


def passive_text(response: HttpResponse) -> str:
    answer = json.loads(response.content)
    assert (answer["result"], answer["type"]) == (True, "text")
    return str(json.loads(unquote(answer["data"]))["text"])


def test_it_echoes_the_verification_string_when_the_signature_matches(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    query = push_peer.verification_query("weibo-echo-1234")

    response = Client().get(f"{weibo_account.endpoint}?{urlencode(query)}")

    assert (response.status_code, response.content) == (200, b"weibo-echo-1234")


def test_it_refuses_a_verification_signed_with_another_secret(weibo_account: Account) -> None:
    query = WeiboPushPeer("another-apps-secret", ACCOUNT_UID).verification_query("x")

    response = Client().get(f"{weibo_account.endpoint}?{urlencode(query)}")

    assert response.status_code == 403
    assert response.content != b"x"


def test_a_private_message_opens_a_case_and_gets_its_tracking_code_by_the_reply_api(
    weibo_account: Account, push_peer: WeiboPushPeer, fake_weibo: FakeWeiboAPI
) -> None:
    response = push(weibo_account, push_peer, fixture_bytes("push_text"))
    fake_weibo.user_wrote(str(RESIDENT_A))
    outbox.relay_due()

    assert response.content == b""
    case = Case.objects.get(resident__external_id=f"private:{RESIDENT_A}")
    [sent] = fake_weibo.private_replies
    assert sent.receiver_id == str(RESIDENT_A)
    assert case.tracking_code in sent.text
    delivery = InboundDelivery.objects.get()
    assert bytes(delivery.raw_body) == fixture_bytes("push_text")
    contact = ChannelContact.objects.get(external_id=f"private:{RESIDENT_A}")
    assert contact.last_inbound_at is not None


def test_a_resident_in_danger_is_told_to_call_110_in_the_passive_reply_and_only_there(
    weibo_account: Account, push_peer: WeiboPushPeer, fake_weibo: FakeWeiboAPI
) -> None:
    danger = encode(push_peer.text(RESIDENT_A, "救命！有人拿着刀在我家楼下砍人，现在还在追！"))

    response = push(weibo_account, push_peer, danger)
    fake_weibo.user_wrote(str(RESIDENT_A))
    outbox.relay_due()

    answer = json.loads(response.content)
    assert (answer["receiver_id"], answer["sender_id"]) == (RESIDENT_A, ACCOUNT_UID)
    assert "请立即拨打110" in passive_text(response)
    case = Case.objects.get(resident__external_id=f"private:{RESIDENT_A}")
    assert case.priority == Priority.EMERGENCY
    [sent] = fake_weibo.private_replies
    assert case.tracking_code in sent.text
    assert passive_text(response) not in sent.text


def test_a_retried_push_creates_nothing_new_and_gets_the_same_answer(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    first = push(weibo_account, push_peer, fixture_bytes("push_text"))

    retry = push(weibo_account, push_peer, fixture_bytes("push_text"))

    assert retry.content == first.content
    assert InboundDelivery.objects.count() == 1
    assert Message.objects.filter(direction="in").count() == 1


def test_two_residents_writing_in_the_same_second_are_two_messages(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    moment = time.time()
    push(weibo_account, push_peer, push_peer.text(RESIDENT_A, "我家门口有可疑人员", moment))

    push(weibo_account, push_peer, push_peer.text(RESIDENT_B, "我家门口有可疑人员", moment))

    assert Case.objects.count() == 2


def test_one_resident_writing_twice_in_one_second_is_two_messages(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    moment = time.time()
    push(weibo_account, push_peer, push_peer.text(RESIDENT_A, "第一句", moment))

    push(weibo_account, push_peer, push_peer.text(RESIDENT_A, "第二句", moment))

    assert Message.objects.filter(direction="in").count() == 2


@pytest.mark.parametrize("character", ["\x1d", "\x08", "\ufffe"])
def test_it_keeps_a_message_whose_text_holds_a_control_character(
    weibo_account: Account, push_peer: WeiboPushPeer, character: str
) -> None:
    response = push(
        weibo_account, push_peer, push_peer.text(RESIDENT_A, f"报警{character}有人打架")
    )

    assert response.status_code == 200
    assert Message.objects.get(direction="in").text == "报警有人打架"


def test_it_keeps_markup_in_a_private_message_literal(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    text = '<img src=x onerror="alert(1)"> &amp; {{ 7*7 }} %(code)s'

    push(weibo_account, push_peer, push_peer.text(RESIDENT_A, text))

    assert Message.objects.get(direction="in").text == text


def test_an_unfollow_closes_the_private_window(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    push(weibo_account, push_peer, fixture_bytes("push_event_follow"))

    push(weibo_account, push_peer, fixture_bytes("push_event_unfollow"))

    contact = ChannelContact.objects.get(external_id=f"private:{RESIDENT_A}")
    assert contact.last_inbound_at is None
    assert not Case.objects.exists()


def test_a_push_of_an_unknown_type_is_kept_raw_and_otherwise_ignored(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    response = push(weibo_account, push_peer, fixture_bytes("push_mention"))

    assert (response.status_code, response.content) == (200, b"")
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert not Message.objects.exists()


def test_a_signed_push_it_cannot_read_is_kept_for_an_operator(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    response = push(weibo_account, push_peer, b'{"type":"text","sender_id":null}')

    assert (response.status_code, response.content) == (200, b"")
    assert InboundDelivery.objects.get().status == DeliveryStatus.UNPARSABLE


def test_a_push_for_another_weibo_account_is_refused(
    authorised: Account, push_peer: WeiboPushPeer
) -> None:
    stranger = WeiboPushPeer(push_peer.app_secret, 5999999999)

    response = push(authorised, stranger, stranger.text(RESIDENT_A, "你好"))

    assert response.status_code == 403
    assert not InboundDelivery.objects.exists()


# Pushes that are not provably from Weibo (peer-inputs H10, for this channel).


def assert_refused(response: HttpResponse) -> None:
    assert response.status_code == 403
    assert not InboundDelivery.objects.exists()
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_it_refuses_a_push_without_any_signature(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    response = Client().post(
        weibo_account.endpoint,
        data=fixture_bytes("push_text"),
        content_type="application/json",
    )

    assert_refused(response)  # type: ignore[arg-type]


def test_it_refuses_a_push_signed_with_another_secret(weibo_account: Account) -> None:
    forger = WeiboPushPeer("another-apps-secret", ACCOUNT_UID)

    assert_refused(push(weibo_account, forger, fixture_bytes("push_text")))


def test_it_refuses_a_correctly_signed_push_more_than_five_minutes_old(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    stale = push_peer.signed_query(timestamp=int(time.time()) - 301)

    assert_refused(push(weibo_account, push_peer, fixture_bytes("push_text"), stale))


def test_it_refuses_a_signed_query_replayed_with_another_body(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    query = push_peer.signed_query()
    push(weibo_account, push_peer, push_peer.event(RESIDENT_A, "follow"), query)

    forged = push(weibo_account, push_peer, push_peer.text(RESIDENT_B, "转账给我"), query)

    assert forged.status_code == 403
    assert InboundDelivery.objects.count() == 1
    assert not Message.objects.filter(resident__external_id=f"private:{RESIDENT_B}").exists()


def test_an_account_without_its_app_secret_answers_nothing_but_503(
    weibo_account: Account, push_peer: WeiboPushPeer
) -> None:
    weibo_account.credentials = "{}"
    weibo_account.save()

    response = push(weibo_account, push_peer, fixture_bytes("push_text"))

    assert response.status_code == 503
    assert not InboundDelivery.objects.exists()


def test_the_peer_pushes_over_real_http_to_a_running_server(
    weibo_account: Account, push_peer: WeiboPushPeer, live_server: Any
) -> None:
    response = push_peer.post(
        f"{live_server.url}{weibo_account.endpoint}", fixture_bytes("push_text")
    )

    assert response.status == 200
    assert Case.objects.filter(resident__external_id=f"private:{RESIDENT_A}").exists()


def test_a_follow_is_thanked_by_the_reply_api_and_opens_the_private_window(
    weibo_account: Account, push_peer: WeiboPushPeer, fake_weibo: FakeWeiboAPI
) -> None:
    push(weibo_account, push_peer, fixture_bytes("push_event_follow"))
    fake_weibo.user_wrote(str(RESIDENT_A))
    outbox.relay_due()

    [thanks] = fake_weibo.private_replies
    assert "110" in thanks.text
    contact = ChannelContact.objects.get(external_id=f"private:{RESIDENT_A}")
    assert contact.last_inbound_at is not None
    assert not Case.objects.exists()
