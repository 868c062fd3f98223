"""Only events signed with the account's secret get in; anything else is refused unwritten."""

import json

import pytest
from django.test import Client

from beatdesk.channels.models import Account, InboundDelivery
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer, encode, signature
from beatdesk.channels.onebot.views import signature_of
from beatdesk.inbox.models import Case, Message, Resident
from tests.channels.onebot.events import fixture, post
from tests.conftest import BOT_QQ, Cast, make_onebot_account


def nothing_written() -> bool:
    stores = (InboundDelivery, Message, Case, Resident)
    return all(not model.objects.exists() for model in stores)


def test_it_agrees_with_the_signature_vector_of_the_protocol_notes() -> None:
    body = (
        b'{"time":1700000000,"self_id":10001,"post_type":"meta_event",'
        b'"meta_event_type":"heartbeat","status":{"online":true,"good":true},"interval":15000}'
    )
    expected = "sha1=437a6998ad5cb6d7caf214367f72da024d539bac"

    assert signature("s3cr3t", body) == expected
    assert signature_of("s3cr3t", body) == expected


def test_it_accepts_an_event_signed_with_the_accounts_secret(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    response = post(Client(), onebot_account, onebot_peer, fixture("private_message"))

    assert response.status_code == 204
    assert Message.objects.get(direction="in").text == "我的电动车昨晚在小区里被偷了"


def test_it_refuses_an_unsigned_event_and_writes_or_sends_nothing(
    onebot_account: Account, onebot_peer: OneBotPeer, fake_onebot: FakeOneBotAPI
) -> None:
    overrides = {"x-signature": ""}

    response = post(
        Client(), onebot_account, onebot_peer, fixture("group_message_array"), overrides
    )

    assert response.status_code == 403
    assert nothing_written()
    assert fake_onebot.calls == []


def test_it_refuses_an_event_signed_with_another_secret(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    body = fixture("group_message_array")
    overrides = {"x-signature": signature("somebody-elses-secret", body)}

    response = post(Client(), onebot_account, onebot_peer, body, overrides)

    assert response.status_code == 403
    assert nothing_written()


def test_it_refuses_a_signature_made_over_other_bytes_of_the_same_json(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    event = json.loads(fixture("private_message"))
    spaced = json.dumps(event, ensure_ascii=False).encode()
    overrides = {"x-signature": signature(onebot_peer.secret, spaced)}

    response = post(Client(), onebot_account, onebot_peer, encode(event), overrides)

    assert response.status_code == 403
    assert nothing_written()


@pytest.mark.parametrize(
    "header", ["sha1=", "sha256=00", "437a6998ad5cb6d7caf214367f72da024d539bac"]
)
def test_it_refuses_a_malformed_signature_header(
    onebot_account: Account, onebot_peer: OneBotPeer, header: str
) -> None:
    overrides = {"x-signature": header}

    response = post(Client(), onebot_account, onebot_peer, fixture("private_message"), overrides)

    assert response.status_code == 403


def test_it_accepts_the_signature_header_in_any_letter_case(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    body = fixture("private_message")
    overrides = {
        "x-signature": signature(onebot_peer.secret, body).upper().replace("SHA1", "sha1")
    }

    response = post(Client(), onebot_account, onebot_peer, body, overrides)

    assert response.status_code == 204


@pytest.mark.parametrize("environment", [False, True])
def test_it_refuses_every_event_for_an_account_without_a_secret_in_any_environment(
    cast: Cast, onebot_peer: OneBotPeer, settings: object, environment: bool
) -> None:
    settings.PRODUCTION = environment  # type: ignore[attr-defined]
    account = make_onebot_account(cast.station_a)
    credentials = json.loads(account.credentials)
    credentials["secret"] = ""
    account.credentials = json.dumps(credentials)
    account.save()
    body = fixture("private_message")

    response = post(Client(), account, onebot_peer, body, {"x-signature": signature("", body)})

    assert response.status_code == 503
    assert nothing_written()


def test_it_answers_404_for_an_unknown_account(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    body = fixture("private_message")

    response = Client().post(
        "/hooks/onebot/no-such-account/",
        data=body,
        content_type="application/json",
        headers={"x-signature": signature(onebot_peer.secret, body)},
    )

    assert response.status_code == 404
    assert nothing_written()


def test_it_answers_404_for_a_wechat_account_addressed_as_onebot(
    account: Account, onebot_peer: OneBotPeer
) -> None:
    body = fixture("private_message")

    response = Client().post(
        f"/hooks/onebot/{account.code}/",
        data=body,
        content_type="application/json",
        headers={"x-signature": signature(onebot_peer.secret, body)},
    )

    assert response.status_code == 404


def test_it_refuses_a_signed_event_for_another_bot(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    event = json.loads(fixture("private_message"))
    event["self_id"] = BOT_QQ + 1

    response = post(Client(), onebot_account, onebot_peer, event)

    assert response.status_code == 403
    assert nothing_written()


def test_it_refuses_a_get_request(onebot_account: Account) -> None:
    assert Client().get(onebot_account.endpoint).status_code == 405
