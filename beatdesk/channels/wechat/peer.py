"""Speak to Beatdesk exactly as WeChat's servers do, for tests and the demo.

This module plays the other end of the Official Account push protocol: it signs and
encrypts pushes the way WeChat does and checks our passive replies the way WeChat would.
It uses only the standard library and `cryptography`, never wechatpy, so that a defect in
the library our product relies on shows up as a disagreement here instead of being
mirrored on both sides of the wire.

The builders do not escape or clean what they are given: real traffic carries control
characters and emoji, and tests must be able to feed our product exactly that.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from typing import Literal

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

Mode = Literal["plain", "compatible", "safe"]
FieldValue = str | int | float

# WeChat pads to 32-byte blocks, not AES's 16, so the pad byte runs from 1 to 32.
PAD_BLOCK = 32
RANDOM_PREFIX_LENGTH = 16
LENGTH_FIELD = struct.Struct(">I")
REPLY_HEADER = ("ToUserName", "FromUserName", "CreateTime", "MsgType")
# WeChat writes these fields as bare numbers and every other one in CDATA, whatever type
# the caller hands us.
BARE_FIELDS = frozenset(
    {"CreateTime", "MsgId", "MsgID", "MsgDataId", "Idx", "Location_X", "Location_Y", "Scale"}
    | {"Latitude", "Longitude", "Precision", "AgentID", "ArticleCount"}
)


class ReplyError(ValueError):
    """Our product's reply, or a ciphertext in it, is one WeChat would not accept."""


def sign(*parts: str) -> str:
    """Return WeChat's signature: SHA-1 over the parts sorted and joined without separator."""
    joined = "".join(sorted(parts)).encode("utf-8")
    # The protocol fixes SHA-1; the choice of hash is WeChat's, not ours.
    return hashlib.sha1(joined).hexdigest()  # noqa: S324


def cdata(text: str) -> str:
    """Wrap text in CDATA, splitting the section wherever the text itself contains ']]>'."""
    # A CDATA section cannot hold its own terminator, so the only faithful encoding is
    # to close the section after ']]' and open a new one for the '>'.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_document(entries: list[tuple[str, FieldValue]]) -> str:
    """Render WeChat's flat <xml> document: strings in CDATA, numbers bare, one per line."""
    lines = [f"<{name}>{_render_value(name, value)}</{name}>" for name, value in entries]
    return "<xml>" + "\n".join(lines) + "\n</xml>"


def _render_value(name: str, value: FieldValue) -> str:
    if isinstance(value, float):
        # WeChat writes coordinates and precision with six decimals (23.134521).
        return f"{value:.6f}"
    if isinstance(value, str) and name not in BARE_FIELDS:
        return cdata(value)
    return str(value)


def parse_document(data: bytes | str) -> ElementTree.Element:
    """Parse one XML document, refusing any DTD as WeChat's parsers and ours should."""
    # WeChat speaks UTF-8 only; decoding first also keeps a DTD from hiding in UTF-16.
    text = data if isinstance(data, str) else _utf8(data)
    # A DTD is the only way to declare entities, so refusing it up front rules out entity
    # expansion attacks before the parser sees a byte.
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ReplyError("the document declares a DTD")
    try:
        return ElementTree.fromstring(text)  # noqa: S314 (DTDs are refused above)
    except ElementTree.ParseError as error:
        raise ReplyError(f"the document is not well-formed XML: {error}") from None


def fields(xml: str) -> dict[str, str]:
    """Return the text of every element under <xml>, nested ones as 'Image/MediaId'.

    Repeated elements, such as the items of a news reply, keep the last one's text.
    """
    found: dict[str, str] = {}
    _collect(parse_document(xml), "", found)
    return found


def _collect(element: ElementTree.Element, prefix: str, found: dict[str, str]) -> None:
    for child in element:
        path = prefix + child.tag
        found[path] = child.text or ""
        _collect(child, path + "/", found)


def _aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise ValueError("an EncodingAESKey has exactly 43 characters")
    key = base64.b64decode(encoding_aes_key + "=", validate=True)
    if len(key) != 32:
        raise ValueError("an EncodingAESKey decodes to 32 bytes")
    return key


def _pad(data: bytes) -> bytes:
    # A full block of padding is added when the data already fills its blocks.
    count = PAD_BLOCK - len(data) % PAD_BLOCK
    return data + bytes([count]) * count


def _unpad(data: bytes) -> bytes:
    count = data[-1]
    if not 1 <= count <= PAD_BLOCK or data[-count:] != bytes([count]) * count:
        raise ReplyError("the ciphertext's padding is not PKCS#7 to 32-byte blocks")
    return data[:-count]


def _split_plaintext(plaintext: bytes) -> tuple[str, str]:
    header_end = RANDOM_PREFIX_LENGTH + LENGTH_FIELD.size
    if len(plaintext) < header_end:
        raise ReplyError("the plaintext is shorter than its random prefix and length")
    (length,) = LENGTH_FIELD.unpack(plaintext[RANDOM_PREFIX_LENGTH:header_end])
    message = plaintext[header_end : header_end + length]
    if len(message) != length:
        raise ReplyError("the plaintext's length field runs past its end")
    return _utf8(message), _utf8(plaintext[header_end + length :])


def _sender(plain_xml: str) -> str:
    """Find FromUserName by text search, since hostile content may not parse as XML."""
    start = plain_xml.find("<FromUserName>")
    end = plain_xml.find("</FromUserName>", start)
    if start < 0 or end < 0:
        return ""
    inner = plain_xml[start + len("<FromUserName>") : end]
    return inner.removeprefix("<![CDATA[").removesuffix("]]>")


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReplyError("the bytes are not UTF-8") from None


def _required_text(root: ElementTree.Element, name: str) -> str:
    element = root.find(name)
    if element is None or not element.text:
        raise ReplyError(f"the reply lacks <{name}>")
    return element.text


def _default_timestamp(timestamp: str | None) -> str:
    return timestamp if timestamp is not None else str(int(time.time()))


def _default_nonce(nonce: str | None) -> str:
    # WeChat's nonces are decimal strings of up to ten digits.
    return nonce if nonce is not None else str(secrets.randbelow(10**10))


class WeChatPeer:
    """One Official Account as WeChat's servers see it: builds pushes and checks replies."""

    def __init__(
        self,
        token: str,
        app_id: str,
        encoding_aes_key: str | None,
        original_id: str,
        *,
        random_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self.token = token
        self.app_id = app_id
        self.original_id = original_id
        self._key = None if encoding_aes_key is None else _aes_key(encoding_aes_key)
        # Replaceable only so that published vectors with a fixed prefix can be reproduced.
        self._random_bytes = random_bytes

    # Server-URL verification.

    def verification_query(
        self, echostr: str, timestamp: str | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        """Return the query of WeChat's GET that verifies the server URL."""
        timestamp, nonce = _default_timestamp(timestamp), _default_nonce(nonce)
        signature = sign(self.token, timestamp, nonce)
        return {"signature": signature, "echostr": echostr, "timestamp": timestamp, "nonce": nonce}

    # Ordinary messages and events, as plaintext XML.

    def build_text(
        self, openid: str, content: str, msg_id: int, create_time: int | None = None
    ) -> str:
        """Return a text message from openid."""
        return self._message(openid, "text", create_time, [("Content", content)], msg_id)

    def build_image(
        self, openid: str, pic_url: str, media_id: str, msg_id: int, create_time: int | None = None
    ) -> str:
        """Return an image message from openid."""
        body: list[tuple[str, FieldValue]] = [("PicUrl", pic_url), ("MediaId", media_id)]
        return self._message(openid, "image", create_time, body, msg_id)

    def build_voice(
        self,
        openid: str,
        media_id: str,
        voice_format: str,
        msg_id: int,
        create_time: int | None = None,
        recognition: str | None = None,
    ) -> str:
        """Return a voice message; Recognition appears only when speech recognition is on."""
        body: list[tuple[str, FieldValue]] = [("MediaId", media_id), ("Format", voice_format)]
        if recognition is not None:
            body.append(("Recognition", recognition))
        return self._message(openid, "voice", create_time, body, msg_id)

    def build_video(
        self,
        openid: str,
        media_id: str,
        thumb_media_id: str,
        msg_id: int,
        create_time: int | None = None,
        *,
        short: bool = False,
    ) -> str:
        """Return a video message, or a shortvideo one when short is set."""
        body: list[tuple[str, FieldValue]] = [
            ("MediaId", media_id),
            ("ThumbMediaId", thumb_media_id),
        ]
        kind = "shortvideo" if short else "video"
        return self._message(openid, kind, create_time, body, msg_id)

    def build_location(
        self,
        openid: str,
        lat: float,
        lon: float,
        scale: int,
        label: str,
        msg_id: int,
        create_time: int | None = None,
    ) -> str:
        """Return a location message: Location_X is the latitude, Location_Y the longitude."""
        body: list[tuple[str, FieldValue]] = [
            ("Location_X", lat),
            ("Location_Y", lon),
            ("Scale", scale),
            ("Label", label),
        ]
        return self._message(openid, "location", create_time, body, msg_id)

    def build_link(
        self,
        openid: str,
        title: str,
        description: str,
        url: str,
        msg_id: int,
        create_time: int | None = None,
    ) -> str:
        """Return a link message from openid."""
        body: list[tuple[str, FieldValue]] = [
            ("Title", title),
            ("Description", description),
            ("Url", url),
        ]
        return self._message(openid, "link", create_time, body, msg_id)

    def build_event(
        self,
        openid: str,
        event: str,
        create_time: int | None = None,
        key: str | None = None,
        extra: Mapping[str, FieldValue] | None = None,
    ) -> str:
        """Return an event push; events carry no MsgId.

        For a follow through a parametric QR code pass key="qrscene_<scene>" and
        extra={"Ticket": ...}; for LOCATION pass Latitude, Longitude and Precision as floats.
        """
        body: list[tuple[str, FieldValue]] = [("Event", event)]
        if key is not None:
            body.append(("EventKey", key))
        body.extend((extra or {}).items())
        return self._message(openid, "event", create_time, body, msg_id=None)

    def _message(
        self,
        openid: str,
        msg_type: str,
        create_time: int | None,
        body: list[tuple[str, FieldValue]],
        msg_id: int | None,
    ) -> str:
        header: list[tuple[str, FieldValue]] = [
            ("ToUserName", self.original_id),
            ("FromUserName", openid),
            ("CreateTime", create_time if create_time is not None else int(time.time())),
            ("MsgType", msg_type),
        ]
        trailer: list[tuple[str, FieldValue]] = [] if msg_id is None else [("MsgId", msg_id)]
        return render_document(header + body + trailer)

    # Signing and encrypting a push.

    def signed_request(
        self,
        plain_xml: str,
        mode: Mode = "plain",
        timestamp: str | None = None,
        nonce: str | None = None,
        openid: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """Return the query and body of the POST WeChat would send for plain_xml in mode."""
        timestamp, nonce = _default_timestamp(timestamp), _default_nonce(nonce)
        query = {
            "signature": sign(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": openid if openid is not None else _sender(plain_xml),
        }
        if mode == "plain":
            return query, plain_xml.encode("utf-8")

        encrypt = self.encrypt(plain_xml)
        query["encrypt_type"] = "aes"
        query["msg_signature"] = sign(self.token, timestamp, nonce, encrypt)
        return query, self._encrypted_body(plain_xml, mode, encrypt).encode("utf-8")

    def _encrypted_body(self, plain_xml: str, mode: Mode, encrypt: str) -> str:
        if mode == "safe":
            return render_document([("ToUserName", self.original_id), ("Encrypt", encrypt)])
        # Compatible mode keeps every plaintext field and adds <Encrypt> as the last one.
        end = plain_xml.rfind("</xml>")
        if end < 0:
            raise ValueError("the plaintext push has no closing </xml>")
        return plain_xml[:end] + f"<Encrypt>{cdata(encrypt)}</Encrypt>\n" + plain_xml[end:]

    def encrypt(self, plain_xml: str) -> str:
        """Return the base64 Encrypt value WeChat would produce for plain_xml."""
        key = self._require_key()
        message = plain_xml.encode("utf-8")
        plaintext = b"".join(
            [
                self._random_bytes(RANDOM_PREFIX_LENGTH),
                LENGTH_FIELD.pack(len(message)),
                message,
                self.app_id.encode("utf-8"),
            ]
        )
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        ciphertext = encryptor.update(_pad(plaintext)) + encryptor.finalize()
        return base64.b64encode(ciphertext).decode("ascii")

    def decrypt(self, encrypt_b64: str) -> tuple[str, str]:
        """Return the XML and the app id sealed in an Encrypt value; raise ReplyError if bad."""
        key = self._require_key()
        try:
            ciphertext = base64.b64decode(encrypt_b64, validate=True)
        except binascii.Error:
            raise ReplyError("Encrypt is not base64") from None
        if not ciphertext or len(ciphertext) % 16:
            raise ReplyError("Encrypt is not a whole number of AES blocks")

        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        return _split_plaintext(_unpad(padded))

    def _require_key(self) -> bytes:
        if self._key is None:
            raise ValueError("this peer has no EncodingAESKey, so it can only speak plaintext")
        return self._key

    # Checking our product's passive reply.

    def open_reply(
        self, body: bytes, query: Mapping[str, str], mode: Mode | None = None
    ) -> str | None:
        """Check a passive reply to the push sent with query; return its plaintext XML.

        Return None for the two acknowledgements WeChat accepts without a message, b""
        and b"success". The query alone cannot tell safe from compatible mode, so with
        encrypt_type=aes a plaintext reply is refused unless mode="compatible" is passed.
        """
        if body in (b"", b"success"):
            return None
        pushed_as = mode or ("safe" if query.get("encrypt_type") == "aes" else "plain")
        root = parse_document(body)
        if root.find("Encrypt") is not None:
            reply_xml = self._open_encrypted(root, pushed_as)
        elif pushed_as == "safe":
            raise ReplyError("safe mode needs an encrypted reply, and this one is plaintext")
        else:
            reply_xml = _utf8(body)
        self._check_reply(reply_xml, query)
        return reply_xml

    def _open_encrypted(self, root: ElementTree.Element, mode: Mode) -> str:
        if mode == "plain":
            raise ReplyError("the push was plaintext, but the reply is encrypted")
        encrypt = _required_text(root, "Encrypt")
        expected = sign(
            self.token,
            _required_text(root, "TimeStamp"),
            _required_text(root, "Nonce"),
            encrypt,
        )
        if not hmac.compare_digest(expected, _required_text(root, "MsgSignature")):
            raise ReplyError("the reply's MsgSignature does not match its Encrypt")

        reply_xml, app_id = self.decrypt(encrypt)
        if app_id != self.app_id:
            raise ReplyError(f"the reply is sealed for app id {app_id!r}, not {self.app_id!r}")
        return reply_xml

    def _check_reply(self, reply_xml: str, query: Mapping[str, str]) -> None:
        root = parse_document(reply_xml)
        if root.tag != "xml":
            raise ReplyError(f"the reply's root element is <{root.tag}>, not <xml>")
        for name in REPLY_HEADER:
            _required_text(root, name)
        if not _required_text(root, "CreateTime").isdigit():
            raise ReplyError("the reply's CreateTime is not whole seconds")

        # Swapping the two user names is the classic passive-reply mistake.
        if _required_text(root, "FromUserName") != self.original_id:
            raise ReplyError("the reply's FromUserName is not the account's original id")
        openid = query.get("openid")
        if openid and _required_text(root, "ToUserName") != openid:
            raise ReplyError("the reply's ToUserName is not the user who wrote")
