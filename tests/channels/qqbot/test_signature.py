"""Only requests signed with the bot's key get in; anything else is refused unwritten."""

import json
import time
from collections.abc import Callable

import pytest
from django.test import Client

from beatdesk.channels.models import Account, InboundDelivery, OutboxMessage, WebhookNonce
from beatdesk.channels.qqbot.fake_api import FakeQQBotAPI
from beatdesk.channels.qqbot.peer import QQBotPeer, encode
from beatdesk.channels.qqbot.views import sign, signature_matches
from beatdesk.inbox.models import Case, Message, Resident
from tests.channels.qqbot.conftest import GROUP, RESIDENT_A, make_qqbot_account
from tests.channels.qqbot.events import fixture, fixture_event, post
from tests.conftest import Cast, make_onebot_account

# The platform's own examples (bot-docs, event-emit.md and sign.md).
DOC_SECRET = "DG5g3B4j9X2KOErG"
DOC_VALIDATION_SIGNATURE = (
    "87befc99c42c651b3aac0278e71ada338433ae26fcb24307bdc5ad38c1adc2d0"
    "1bcfcadc0842edac85e85205028a1132afe09280305f13aa6909ffc2d652c706"
)
SIGN_DOC_SECRET = "naOC0ocQE3shWLAfffVLB1rhYPG7"
SIGN_DOC_BODY = b'{\n  "op": 0,\n  "d": {},\n  "t": "GATEWAY_EVENT_NAME"\n}'
SIGN_DOC_SIGNATURE = (
    "865ad13a61752ca65e26bde6676459cd36cf1be609375b37bd62af366e1dc25a"
    "8dc789ba7f14e017ada3d554c671a911bfdf075ba54835b23391d509579ed002"
)


def nothing_written() -> bool:
    stores = (InboundDelivery, Message, Case, Resident, OutboxMessage)
    return all(not model.objects.exists() for model in stores)


def forged_group_mention() -> dict[str, object]:
    """The body of H10: an @-mention anyone who knows the address could make up."""
    return {
        "op": 0,
        "id": "GROUP_AT_MESSAGE_CREATE:forged",
        "t": "GROUP_AT_MESSAGE_CREATE",
        "d": {
            "author": {"member_openid": RESIDENT_A},
            "content": " 帮我查一下",
            "group_openid": GROUP,
            "id": "ROBOT1.0_forged",
            "timestamp": "2025-03-03T09:00:00+08:00",
        },
    }


def test_it_answers_the_documented_address_check_with_the_documented_signature(
    cast: Cast,
) -> None:
    account = make_qqbot_account(cast.station_a)
    account.credentials = json.dumps({"app_secret": DOC_SECRET})
    account.save()
    peer = QQBotPeer(account.app_id, DOC_SECRET)

    response = post(Client(), account, peer, fixture("validation"))

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "plain_token": "Arq0D5A61EgUu4OxUvOp",
        "signature": DOC_VALIDATION_SIGNATURE,
    }
    assert sign(DOC_SECRET, b"1725442341Arq0D5A61EgUu4OxUvOp") == DOC_VALIDATION_SIGNATURE


def test_it_verifies_the_signature_example_of_the_signing_documentation() -> None:
    assert signature_matches(SIGN_DOC_SECRET, "1725442341", SIGN_DOC_BODY, SIGN_DOC_SIGNATURE)
    assert not signature_matches(SIGN_DOC_SECRET, "1725442342", SIGN_DOC_BODY, SIGN_DOC_SIGNATURE)


def test_it_answers_the_address_check_so_the_platform_accepts_it(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    challenge = QQBotPeer.validation("q1W2e3R4t5Y6u7I8o9P0", str(int(time.time())))

    response = post(Client(), qqbot_account, qqbot_peer, challenge)

    assert qqbot_peer.answer_is_valid(challenge, json.loads(response.content))
    assert nothing_written()


def test_it_answers_an_unsigned_address_check_because_the_platform_may_not_sign_it(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    challenge = QQBotPeer.validation("Arq0D5A61EgUu4OxUvOp", "1725442341")
    overrides = {"x-signature-ed25519": "", "x-signature-timestamp": ""}

    response = post(Client(), qqbot_account, qqbot_peer, challenge, overrides)

    assert qqbot_peer.answer_is_valid(challenge, json.loads(response.content))


def test_it_refuses_to_sign_an_address_check_that_could_pass_for_an_event(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    # Signing "<timestamp>" + "<body>" on request would let anyone forge signed events.
    forged_body = encode(forged_group_mention()).decode()
    challenge = QQBotPeer.validation(forged_body, "1725442341")
    overrides = {"x-signature-ed25519": "", "x-signature-timestamp": ""}

    response = post(Client(), qqbot_account, qqbot_peer, challenge, overrides)

    assert response.status_code == 400
    assert b"signature" not in response.content


def test_it_accepts_an_event_signed_with_the_bots_key(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    response = post(Client(), qqbot_account, qqbot_peer, fixture("c2c_message_create"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"op": 12}
    assert Message.objects.get(direction="in").text == "我的电动车昨晚在小区里被偷了"


@pytest.mark.parametrize("production", [False, True])
def test_it_refuses_an_unsigned_group_mention_and_writes_or_sends_nothing(
    qqbot_account: Account,
    qqbot_peer: QQBotPeer,
    fake_qqbot: FakeQQBotAPI,
    settings: object,
    production: bool,
) -> None:
    settings.PRODUCTION = production  # type: ignore[attr-defined]
    overrides = {"x-signature-ed25519": "", "x-signature-timestamp": ""}

    response = post(Client(), qqbot_account, qqbot_peer, forged_group_mention(), overrides)

    assert response.status_code == 403
    assert nothing_written()
    assert fake_qqbot.calls == []


def test_it_refuses_an_event_signed_with_another_secret(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    impostor = QQBotPeer(qqbot_account.app_id, "somebody-elses-secret")

    response = post(Client(), qqbot_account, impostor, forged_group_mention())

    assert response.status_code == 403
    assert nothing_written()


@pytest.mark.parametrize("age_seconds", [330, 3600, -330])
def test_it_refuses_a_signed_event_whose_timestamp_is_outside_five_minutes(
    qqbot_account: Account, qqbot_peer: QQBotPeer, age_seconds: int
) -> None:
    timestamp = int(time.time()) - age_seconds

    response = post(
        Client(), qqbot_account, qqbot_peer, fixture("c2c_message_create"), timestamp=timestamp
    )

    assert response.status_code == 403
    assert nothing_written()


def test_it_refuses_a_signature_made_over_other_bytes_of_the_same_json(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    event = fixture_event("c2c_message_create")
    spaced = json.dumps(event, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    overrides = {
        "x-signature-timestamp": stamp,
        "x-signature-ed25519": qqbot_peer.signature(stamp, spaced),
    }

    response = post(Client(), qqbot_account, qqbot_peer, encode(event), overrides)

    assert response.status_code == 403
    assert nothing_written()


def test_it_refuses_a_signature_moved_to_another_timestamp(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    body = fixture("c2c_message_create")
    signed_at = int(time.time())
    overrides = {
        "x-signature-timestamp": str(signed_at + 1),
        "x-signature-ed25519": qqbot_peer.signature(str(signed_at), body),
    }

    response = post(Client(), qqbot_account, qqbot_peer, body, overrides)

    assert response.status_code == 403


@pytest.mark.parametrize("header", ["zz", "00" * 64, "ab" * 63, "ff" * 64])
def test_it_refuses_a_malformed_signature_header(
    qqbot_account: Account, qqbot_peer: QQBotPeer, header: str
) -> None:
    body = fixture("c2c_message_create")
    response = post(Client(), qqbot_account, qqbot_peer, body, {"x-signature-ed25519": header})

    assert response.status_code == 403
    assert nothing_written()


@pytest.mark.parametrize(
    ("header", "value"),
    [("x-signature-timestamp", ""), ("x-bot-appid", "102030999")],
    ids=["timestamp-header-missing", "addressed-to-another-bot"],
)
def test_it_refuses_a_request_without_its_timestamp_or_addressed_to_another_bot(
    qqbot_account: Account, qqbot_peer: QQBotPeer, header: str, value: str
) -> None:
    body = fixture("c2c_message_create")

    response = post(Client(), qqbot_account, qqbot_peer, body, {header: value})

    assert response.status_code == 403
    assert nothing_written()


def test_it_refuses_an_event_id_replayed_with_another_body(
    qqbot_account: Account, qqbot_peer: QQBotPeer
) -> None:
    first = fixture_event("c2c_message_create")
    second = json.loads(json.dumps(first))
    second["d"]["content"] = "改过的内容"
    second["d"]["id"] = "ROBOT1.0_another"
    stamp = int(time.time())

    post(Client(), qqbot_account, qqbot_peer, first, timestamp=stamp)
    response = post(Client(), qqbot_account, qqbot_peer, second, timestamp=stamp)

    assert response.status_code == 403
    assert Message.objects.filter(direction="in").count() == 1
    assert WebhookNonce.objects.count() == 1


@pytest.mark.parametrize("production", [False, True])
def test_it_refuses_every_request_for_an_account_without_a_secret_in_any_environment(
    cast: Cast, qqbot_peer: QQBotPeer, settings: object, production: bool
) -> None:
    settings.PRODUCTION = production  # type: ignore[attr-defined]
    account = make_qqbot_account(cast.station_a)
    account.credentials = json.dumps({"app_secret": ""})
    account.save()

    event = post(Client(), account, qqbot_peer, fixture("c2c_message_create"))
    check = post(Client(), account, qqbot_peer, fixture("validation"))

    assert (event.status_code, check.status_code) == (503, 503)
    assert nothing_written()


def unknown_code(cast: Cast) -> str:
    return "no-such-account"


def onebot_code(cast: Cast) -> str:
    return make_onebot_account(cast.station_a).code


@pytest.mark.parametrize(
    "code_of", [unknown_code, onebot_code], ids=["unknown-account", "onebot-account"]
)
def test_it_answers_404_for_an_unknown_account_or_a_onebot_one_addressed_as_a_qq_bot(
    cast: Cast, qqbot_account: Account, qqbot_peer: QQBotPeer, code_of: Callable[[Cast], str]
) -> None:
    body = fixture("c2c_message_create")

    response = Client().post(
        f"/hooks/qqbot/{code_of(cast)}/",
        data=body,
        content_type="application/json",
        headers=qqbot_peer.headers(body),
    )

    assert response.status_code == 404
    assert nothing_written()


def test_it_refuses_a_get_request(qqbot_account: Account) -> None:
    assert Client().get(qqbot_account.endpoint).status_code == 405
