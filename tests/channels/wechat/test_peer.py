"""The WeChat peer against published vectors and, as an independent check, wechatpy."""

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from beatdesk.channels.wechat.peer import (
    ReplyError,
    WeChatPeer,
    cdata,
    fields,
    parse_document,
    sign,
)

# Our own test account: a station's Official Account and one resident who follows it.
TOKEN = "beatdesk-token"
APP_ID = "wx0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ORIGINAL_ID = "gh_0123456789ab"
RESIDENT = "oResident_0000000000000000000"

# WeCom vectors from wechatpy's tests/test_crypto.py: same algorithm, corp id as app id.
WECOM_TOKEN = "123456"
WECOM_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
WECOM_ID = "wx49f0ab532d5d035a"
WECOM_TIMESTAMP = "1411525903"
WECOM_NONCE = "461056294"
WECOM_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHC"
    "rsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpX"
    "aG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQi"
    "MS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQi"
    "pvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
WECOM_MSG_SIGNATURE = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
WECOM_REPLY = """<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>"""
WECOM_REPLY_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNc"
    "BqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY"
    "0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsV"
    "bwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAG"
    "VRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)
WECOM_REPLY_SIGNATURE = "407518b7649e86ef23978113f92d27afa9296533"


@pytest.fixture
def peer() -> WeChatPeer:
    return WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)


def wecom_peer(random_prefix: bytes | None = None) -> WeChatPeer:
    if random_prefix is None:
        return WeChatPeer(WECOM_TOKEN, WECOM_ID, WECOM_KEY, "gh_unused")
    return WeChatPeer(
        WECOM_TOKEN, WECOM_ID, WECOM_KEY, "gh_unused", random_bytes=lambda _: random_prefix
    )


def reply_from_product(content: str = "收到") -> str:
    rendered: str = TextReply(source=ORIGINAL_ID, target=RESIDENT, content=content).render()
    return rendered


# Signatures.


@pytest.mark.parametrize(
    ("timestamp", "nonce", "signature"),
    [
        ("1714036504", "1514711492", "f464b24fc39322e44b38aa78f5edd27bd1441696"),
        ("1714037059", "486452656", "899cf89e464efb63f54ddac96b0a0a235f53aa78"),
    ],
)
def test_it_signs_the_official_documentation_examples(
    timestamp: str, nonce: str, signature: str
) -> None:
    peer = WeChatPeer("AAAAA", APP_ID, None, ORIGINAL_ID)

    query = peer.verification_query("echo-me", timestamp, nonce)

    assert query == {
        "signature": signature,
        "echostr": "echo-me",
        "timestamp": timestamp,
        "nonce": nonce,
    }


def test_it_signs_wechatpys_vector() -> None:
    assert sign("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"


def test_it_signs_the_wecom_vector_over_the_ciphertext() -> None:
    signature = sign(WECOM_TOKEN, WECOM_TIMESTAMP, WECOM_NONCE, WECOM_ENCRYPT)

    assert signature == WECOM_MSG_SIGNATURE


def test_wechatpy_accepts_a_plain_push_signature(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "你好", 1))

    check_signature(TOKEN, query["signature"], query["timestamp"], query["nonce"])


# Encryption vectors.


def test_it_decrypts_the_wecom_vector() -> None:
    xml, app_id = wecom_peer().decrypt(WECOM_ENCRYPT)

    assert app_id == WECOM_ID
    assert fields(xml)["Content"] == "test"
    assert fields(xml)["FromUserName"] == "messense"


def test_it_reproduces_the_wecom_encryption_vector_given_its_random_prefix() -> None:
    peer = wecom_peer(random_prefix=b"1234567890123456")

    encrypt = peer.encrypt(WECOM_REPLY)

    assert encrypt == WECOM_REPLY_ENCRYPT
    assert sign(WECOM_TOKEN, WECOM_TIMESTAMP, WECOM_NONCE, encrypt) == WECOM_REPLY_SIGNATURE


def test_it_uses_a_fresh_random_prefix_for_every_encryption(peer: WeChatPeer) -> None:
    xml = peer.build_text(RESIDENT, "same", 1, 1700000000)

    assert peer.encrypt(xml) != peer.encrypt(xml)


@pytest.mark.parametrize("length", range(71))
def test_it_round_trips_every_length_across_the_32_byte_padding(
    peer: WeChatPeer, length: int
) -> None:
    message = "x" * length

    encrypt = peer.encrypt(message)

    assert len(base64.b64decode(encrypt)) % 32 == 0
    assert peer.decrypt(encrypt) == (message, APP_ID)


def test_it_refuses_padding_outside_one_to_thirty_two(peer: WeChatPeer) -> None:
    key = base64.b64decode(AES_KEY + "=")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    # Thirty-two zero bytes: a pad byte of 0, which wechatpy would silently accept.
    forged = encryptor.update(bytes(32)) + encryptor.finalize()

    with pytest.raises(ReplyError, match="padding"):
        peer.decrypt(base64.b64encode(forged).decode())


def test_it_refuses_encrypt_that_is_not_base64(peer: WeChatPeer) -> None:
    with pytest.raises(ReplyError, match="base64"):
        peer.decrypt("not base64!")


def test_it_needs_a_key_for_encrypted_modes() -> None:
    peer = WeChatPeer(TOKEN, APP_ID, None, ORIGINAL_ID)

    with pytest.raises(ValueError, match="EncodingAESKey"):
        peer.signed_request(peer.build_text(RESIDENT, "hi", 1), "safe")


def test_it_refuses_a_key_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="43"):
        WeChatPeer(TOKEN, APP_ID, AES_KEY[:-1], ORIGINAL_ID)


# Requests in the three modes.


def test_a_plaintext_push_carries_the_xml_and_four_query_parameters(peer: WeChatPeer) -> None:
    xml = peer.build_text(RESIDENT, "我家门口有人打架", 6349323426230210995, 1700000000)

    query, body = peer.signed_request(xml, "plain", "1700000001", "12345")

    assert body == xml.encode("utf-8")
    assert query == {
        "signature": sign(TOKEN, "1700000001", "12345"),
        "timestamp": "1700000001",
        "nonce": "12345",
        "openid": RESIDENT,
    }


def test_a_safe_push_carries_only_the_account_and_the_ciphertext(peer: WeChatPeer) -> None:
    xml = peer.build_text(RESIDENT, "hello", 1, 1700000000)

    query, body = peer.signed_request(xml, "safe")

    root = parse_document(body)
    assert [child.tag for child in root] == ["ToUserName", "Encrypt"]
    assert query["encrypt_type"] == "aes"
    assert query["msg_signature"] == sign(
        TOKEN, query["timestamp"], query["nonce"], fields(body.decode())["Encrypt"]
    )
    assert peer.decrypt(fields(body.decode())["Encrypt"]) == (xml, APP_ID)


def test_a_compatible_push_carries_plaintext_fields_and_the_ciphertext(peer: WeChatPeer) -> None:
    xml = peer.build_text(RESIDENT, "hello", 1, 1700000000)

    _, body = peer.signed_request(xml, "compatible")

    found = fields(body.decode())
    assert found["Content"] == "hello"
    assert peer.decrypt(found["Encrypt"]) == (xml, APP_ID)


@pytest.mark.parametrize("mode", ["safe", "compatible"])
def test_wechatpy_decrypts_what_the_peer_sends(peer: WeChatPeer, mode: str) -> None:
    xml = peer.build_text(RESIDENT, "有人打架 🚨", 7, 1700000000)
    query, body = peer.signed_request(xml, "safe" if mode == "safe" else "compatible")
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)

    decrypted = crypto.decrypt_message(
        body, query["msg_signature"], query["timestamp"], query["nonce"]
    )

    assert decrypted == xml


# Message and event shapes, checked by wechatpy's parser.


def test_wechatpy_reads_every_ordinary_message_the_peer_builds(peer: WeChatPeer) -> None:
    text = parse_message(peer.build_text(RESIDENT, "hi", 11, 1700000000))
    image = parse_message(peer.build_image(RESIDENT, "http://p/1.jpg", "media-1", 12))
    voice = parse_message(peer.build_voice(RESIDENT, "media-2", "amr", 13, recognition="救命"))
    video = parse_message(peer.build_video(RESIDENT, "media-3", "thumb-3", 14, short=True))
    location = parse_message(
        peer.build_location(RESIDENT, 23.134521, 113.358803, 20, "派出所", 15)
    )
    link = parse_message(peer.build_link(RESIDENT, "标题", "描述", "http://l/", 16))

    assert (text.type, text.content, text.id, text.source) == ("text", "hi", 11, RESIDENT)
    assert (image.type, image.media_id, image.image) == ("image", "media-1", "http://p/1.jpg")
    assert (voice.type, voice.format, voice.recognition) == ("voice", "amr", "救命")
    assert (video.type, video.thumb_media_id) == ("shortvideo", "thumb-3")
    assert (location.type, location.location, location.label) == (
        "location",
        ("23.134521", "113.358803"),
        "派出所",
    )
    assert (link.type, link.url, link.target) == ("link", "http://l/", ORIGINAL_ID)


def test_wechatpy_reads_every_event_the_peer_builds(peer: WeChatPeer) -> None:
    follow = parse_message(peer.build_event(RESIDENT, "subscribe"))
    scanned_follow = parse_message(
        peer.build_event(RESIDENT, "subscribe", key="qrscene_42", extra={"Ticket": "T1"})
    )
    scan = parse_message(peer.build_event(RESIDENT, "SCAN", key="42", extra={"Ticket": "T2"}))
    click = parse_message(peer.build_event(RESIDENT, "CLICK", key="REPORT"))
    view = parse_message(peer.build_event(RESIDENT, "VIEW", key="http://v/"))
    unfollow = parse_message(peer.build_event(RESIDENT, "unsubscribe"))
    where = parse_message(
        peer.build_event(
            RESIDENT,
            "LOCATION",
            extra={"Latitude": 23.137466, "Longitude": 113.352425, "Precision": 119.38504},
        )
    )

    assert follow.event == "subscribe"
    assert (scanned_follow.event, scanned_follow.scene_id) == ("subscribe_scan", "42")
    assert (scan.event, scan.scene_id, scan.ticket) == ("scan", "42", "T2")
    assert (click.event, click.key) == ("click", "REPORT")
    assert (view.event, view.url) == ("view", "http://v/")
    assert unfollow.event == "unsubscribe"
    assert (where.event, where.latitude, where.precision) == ("location", 23.137466, 119.38504)


def test_it_writes_numeric_fields_bare_whatever_type_it_is_given(peer: WeChatPeer) -> None:
    xml = peer.build_event(RESIDENT, "LOCATION", extra={"Latitude": "30.1", "Longitude": 120.2})

    assert "<Latitude>30.1</Latitude>" in xml
    assert "<Longitude>120.200000</Longitude>" in xml
    assert "<Event><![CDATA[LOCATION]]></Event>" in xml


def test_events_carry_no_msgid(peer: WeChatPeer) -> None:
    assert "MsgId" not in fields(peer.build_event(RESIDENT, "CLICK", key="K"))


# Hostile content goes out untouched.


def test_it_splits_the_cdata_around_a_closing_marker(peer: WeChatPeer) -> None:
    xml = peer.build_text(RESIDENT, "a]]>b]]>", 1)

    assert "<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>" in xml
    assert fields(xml)["Content"] == "a]]>b]]>"


def test_it_passes_control_characters_through_unchanged(peer: WeChatPeer) -> None:
    xml = peer.build_text(RESIDENT, "bad\x1dbyte", 1)

    assert "bad\x1dbyte" in xml
    with pytest.raises(ReplyError, match="well-formed"):
        parse_document(xml)


def test_it_finds_the_sender_even_when_the_content_does_not_parse(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "\x00\x1d", 1), "safe")

    assert query["openid"] == RESIDENT


def test_cdata_wraps_plain_text_once() -> None:
    assert cdata("收到") == "<![CDATA[收到]]>"


# Opening our product's replies.


@pytest.mark.parametrize("body", [b"", b"success"])
def test_it_takes_success_and_an_empty_body_as_no_reply(peer: WeChatPeer, body: bytes) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1), "safe")

    assert peer.open_reply(body, query) is None


def test_it_opens_a_plaintext_reply_to_a_plaintext_push(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1))

    reply = peer.open_reply(reply_from_product().encode(), query)

    assert reply is not None
    assert fields(reply)["Content"] == "收到"


def test_it_opens_a_reply_wechatpy_encrypted(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1), "safe")
    rendered = reply_from_product()
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    body = crypto.encrypt_message(rendered, query["nonce"], query["timestamp"])

    assert peer.open_reply(body.encode(), query) == rendered


def test_it_refuses_a_plaintext_reply_in_safe_mode(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1), "safe")

    with pytest.raises(ReplyError, match="encrypted"):
        peer.open_reply(reply_from_product().encode(), query)


def test_it_accepts_a_plaintext_reply_in_compatible_mode(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1), "compatible")

    assert peer.open_reply(reply_from_product().encode(), query, mode="compatible") is not None


def test_it_refuses_an_encrypted_reply_to_a_plaintext_push(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1))
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    body = crypto.encrypt_message(reply_from_product(), "1", "1700000000")

    with pytest.raises(ReplyError, match="plaintext"):
        peer.open_reply(body.encode(), query)


def test_it_refuses_a_reply_with_a_wrong_msg_signature(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1), "safe")
    crypto = WeChatCrypto("some-other-token", AES_KEY, APP_ID)
    body = crypto.encrypt_message(reply_from_product(), query["nonce"], query["timestamp"])

    with pytest.raises(ReplyError, match="MsgSignature"):
        peer.open_reply(body.encode(), query)


def test_it_refuses_a_reply_sealed_for_another_app(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1), "safe")
    crypto = WeChatCrypto(TOKEN, AES_KEY, "wxsomeoneelse0000")
    body = crypto.encrypt_message(reply_from_product(), query["nonce"], query["timestamp"])

    with pytest.raises(ReplyError, match="app id"):
        peer.open_reply(body.encode(), query)


def test_it_refuses_a_reply_with_a_dtd(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1))
    body = b'<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'

    with pytest.raises(ReplyError, match="DTD"):
        peer.open_reply(body, query)


def test_it_catches_wechatpys_unescaped_closing_marker_in_a_reply(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "a]]>b", 1))

    with pytest.raises(ReplyError, match="well-formed"):
        peer.open_reply(reply_from_product("you wrote a]]>b").encode(), query)


def test_it_refuses_a_reply_with_the_user_names_swapped(peer: WeChatPeer) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1))
    swapped = TextReply(source=RESIDENT, target=ORIGINAL_ID, content="收到").render()

    with pytest.raises(ReplyError, match="FromUserName"):
        peer.open_reply(swapped.encode(), query)


@pytest.mark.parametrize(
    "body", [b"{}", b"<xml><Content>hi</Content></xml>", b"success\n", b"<reply/>"]
)
def test_it_refuses_anything_else(peer: WeChatPeer, body: bytes) -> None:
    query, _ = peer.signed_request(peer.build_text(RESIDENT, "hi", 1))

    with pytest.raises(ReplyError):
        peer.open_reply(body, query)
