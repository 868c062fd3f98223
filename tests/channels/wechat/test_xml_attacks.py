"""Hostile XML through the WeChat endpoint: every class refused or quarantined, nothing fetched.

Each attack is sent as an authentic push (signed with the account's token, as if the token
had leaked), both inside the encryption of a safe-mode account and as the body of a
plain-mode account an administrator accepted, and also as the outer envelope of a safe-mode
push. Whatever happens, no case or message is created, no server error is answered, no
entity is expanded into what we store, and a listener on 127.0.0.1 that the documents point
at never receives a connection. Times and memory per class are measured by
bench/xml_attacks.py, not here.
"""

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery, SecurityMode
from beatdesk.channels.wechat.peer import WeChatPeer, sign
from beatdesk.inbox.models import Case, Message
from tests.channels.wechat.hostile_xml import CLEANED, attack_documents
from tests.channels.wechat.pushes import post_raw, push
from tests.conftest import TOKEN, Cast, make_wechat_account


class Listener:
    """Accepts and counts connections on 127.0.0.1, so a fetch by the parser would show."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def __enter__(self) -> "Listener":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as running:
        yield running


@pytest.fixture
def plain_account(cast: Cast) -> Account:
    return make_wechat_account(
        cast.station_a,
        code="station-a-plain",
        mode=SecurityMode.PLAIN,
        plain_mode_accepted_by=cast.leader,
    )


ATTACK_NAMES = sorted(attack_documents(port=1))


def assert_nothing_taken_in(listener: Listener, status: int, name: str) -> None:
    assert status in {200, 403, 413}
    if name in CLEANED:
        assert_cleaned(listener)
        return
    assert not Message.objects.exists()
    assert not Case.objects.exists()
    for delivery in InboundDelivery.objects.all():
        assert delivery.status == DeliveryStatus.UNPARSABLE
        assert "root:" not in delivery.payload
        # An expanded entity would make the parsed payload far larger than any body we take.
        assert len(delivery.payload) <= settings.WEBHOOK_MAX_BYTES
    assert listener.connections == 0


def assert_cleaned(listener: Listener) -> None:
    texts = [message.text for message in Message.objects.all()]
    payloads = [delivery.payload for delivery in InboundDelivery.objects.all()]
    for text in texts + payloads:
        assert not any(ord(character) < 0x20 and character not in "\t\n\r" for character in text)
    assert listener.connections == 0


def test_there_are_at_least_twelve_attack_classes() -> None:
    assert len(ATTACK_NAMES) >= 12


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_an_attack_inside_the_encryption_is_quarantined_or_refused(
    account: Account, peer: WeChatPeer, listener: Listener, name: str
) -> None:
    document = attack_documents(listener.port)[name]
    if isinstance(document, bytes):
        pytest.skip("the peer encrypts text; raw bytes are covered by the plain-mode test")

    response, _query = push(Client(), account, peer, document)

    if name not in CLEANED:
        assert response.content in {b"success", b"forbidden", b"body too large"}
    assert_nothing_taken_in(listener, response.status_code, name)


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_an_attack_as_the_body_of_an_accepted_plain_account_is_quarantined_or_refused(
    plain_account: Account, peer: WeChatPeer, listener: Listener, name: str
) -> None:
    document = attack_documents(listener.port)[name]
    body = document if isinstance(document, bytes) else document.encode("utf-8")
    query, _body = peer.signed_request("<xml></xml>", "plain", openid="oFAKE_A")

    response = post_raw(Client(), plain_account, query, body)

    assert_nothing_taken_in(listener, response.status_code, name)


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_an_attack_as_the_outer_envelope_of_a_safe_push_is_refused_before_decryption(
    account: Account, listener: Listener, name: str
) -> None:
    document = attack_documents(listener.port)[name]
    body = document if isinstance(document, bytes) else document.encode("utf-8")
    timestamp, nonce = str(int(time.time())), "0123456789"
    query = {
        "signature": sign(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": "oFAKE_A",
        "encrypt_type": "aes",
        "msg_signature": sign(TOKEN, timestamp, nonce, ""),
    }

    response = Client().post(
        f"{account.endpoint}?{urlencode(query)}", data=body, content_type="text/xml"
    )

    assert_nothing_taken_in(listener, response.status_code, name)
