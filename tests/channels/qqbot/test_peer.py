"""The peer and the fake behave as the platform does, so tests against them mean something."""

import json

import pytest
import requests
from cryptography.hazmat.primitives import serialization

from beatdesk.channels.qqbot.fake_api import FakeQQBotAPI
from beatdesk.channels.qqbot.peer import QQBotPeer, encode, key_of
from tests.channels.qqbot.conftest import QQBOT_APP_ID, QQBOT_SECRET, RESIDENT_A

# The public key the signing documentation derives from its example secret, there written
# as a list of byte values.
DOC_PUBLIC_KEY = bytes.fromhex("d7c362fe78aef81ff23287b493628b5db02a3c4fe30b215e4d19609b5d76673a")


def test_its_key_matches_the_public_key_of_the_signing_documentation() -> None:
    public = key_of("naOC0ocQE3shWLAfffVLB1rhYPG7").public_key()

    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    assert raw == DOC_PUBLIC_KEY


def test_it_escapes_html_characters_as_go_does() -> None:
    body = encode({"content": "<a> & 你好"})

    assert body == '{"content":"\\u003ca\\u003e \\u0026 你好"}'.encode()
    assert json.loads(body) == {"content": "<a> & 你好"}


def test_it_posts_only_to_this_machine() -> None:
    peer = QQBotPeer(QQBOT_APP_ID, QQBOT_SECRET)

    with pytest.raises(ValueError, match="this machine"):
        peer.post("https://api.sgroup.qq.com/hook", {"op": 0})


def test_the_fake_refuses_a_message_that_is_not_a_reply() -> None:
    with FakeQQBotAPI(QQBOT_APP_ID, QQBOT_SECRET) as fake:
        grant = requests.post(
            f"{fake.base_url}/app/getAppAccessToken",
            json={"appId": QQBOT_APP_ID, "clientSecret": QQBOT_SECRET},
            timeout=5,
        ).json()
        response = requests.post(
            f"{fake.base_url}/v2/users/{RESIDENT_A}/messages",
            json={"content": "主动推送", "msg_type": 0},
            headers={"Authorization": f"QQBot {grant['access_token']}"},
            timeout=5,
        )

    assert grant["expires_in"] == "7200"
    assert (response.status_code, response.json()["code"]) == (400, 40034102)
    assert fake.sent == []


def test_the_fake_refuses_a_call_without_a_valid_token() -> None:
    with FakeQQBotAPI(QQBOT_APP_ID, QQBOT_SECRET) as fake:
        response = requests.post(
            f"{fake.base_url}/v2/users/{RESIDENT_A}/messages",
            json={"content": "x", "msg_type": 0, "msg_id": "m"},
            headers={"Authorization": "QQBot made-up"},
            timeout=5,
        )

    assert (response.status_code, response.json()["code"]) == (401, 11244)
