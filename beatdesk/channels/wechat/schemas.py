"""Typed WeChat payloads, parsed at the edge from untrusted XML.

Parsing refuses DTDs, entities and external references (defusedxml). Characters that XML
1.0 forbids (C0 controls, U+FFFE, U+FFFF, lone surrogates) are removed first: WeChat
delivers them unescaped when a resident pastes them, and the message must still arrive.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from beatdesk.core.secrets import pseudonym
from beatdesk.inbox.intake import IncomingMessage
from beatdesk.inbox.models import MessageKind

ILLEGAL_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

MESSAGE_KINDS = {
    "text": MessageKind.TEXT,
    "image": MessageKind.IMAGE,
    "voice": MessageKind.VOICE,
    "video": MessageKind.VIDEO,
    "shortvideo": MessageKind.VIDEO,
    "location": MessageKind.LOCATION,
    "link": MessageKind.LINK,
    "event": MessageKind.EVENT,
}
# The fields kept per kind; anything else in the payload stays only in the raw record.
KEPT_FIELDS = [
    "PicUrl",
    "MediaId",
    "Format",
    "Recognition",
    "ThumbMediaId",
    "Location_X",
    "Location_Y",
    "Scale",
    "Label",
    "Title",
    "Description",
    "Url",
    "Latitude",
    "Longitude",
    "Precision",
    "Ticket",
    "MenuId",
]
KNOWN_EVENTS = {"subscribe", "unsubscribe", "click", "view", "location", "scan"}
# Bounds that keep an authentic but absurd push from overflowing a date or a column.
LATEST_CREATE_TIME = 4102444800  # 2100-01-01
MAX_ID_LENGTH = {"FromUserName": 128, "MsgId": 32, "Event": 64}
# Real pushes nest four levels at most (menu events' PicList/item); these bounds stop a
# hostile document while it is being parsed, before a tree of it is ever built.
MAX_DEPTH = 8
MAX_ELEMENTS = 2_000
# Fields that WeChat always sends as plain text; an element inside one is not WeChat's.
LEAF_FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "MsgId", "Content"]


class PayloadError(ValueError):
    """The XML is not a WeChat payload we can read."""


def strip_illegal_characters(text: str) -> str:
    """Remove characters that XML 1.0 forbids; everything else is kept as written."""
    return ILLEGAL_XML_CHARACTERS.sub("", text)


class _BoundedTreeBuilder(TreeBuilder):
    """Builds the tree but stops the parse once the document nests or sprawls too far."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH:
            raise PayloadError("nested too deeply")
        if self.elements > MAX_ELEMENTS:
            raise PayloadError("too many elements")
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)


def parse_xml(text: str) -> Element:
    """Parse untrusted XML with DTDs and entities forbidden and its shape bounded."""
    parser = DefusedXMLParser(
        target=_BoundedTreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(text)
        root: Element = parser.close()
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise PayloadError(type(error).__name__) from None
    return root


@dataclass(frozen=True)
class Envelope:
    """The outer body of a push: the account's gh_ id and, outside plain mode, the ciphertext."""

    to_user: str
    encrypt: str


def parse_envelope(body: str) -> Envelope:
    root = parse_xml(body)
    return Envelope(
        to_user=root.findtext("ToUserName") or "", encrypt=root.findtext("Encrypt") or ""
    )


@dataclass(frozen=True)
class WeChatMessage:
    """One message or event pushed by WeChat, as plain typed values."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: str = ""
    event: str = ""
    event_key: str = ""
    content: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def delivery_key(self) -> str:
        """What makes a retry of this push recognisable, and two residents' pushes distinct.

        The sender appears as a keyed digest: keys are stored in the clear, to be unique.
        """
        sender = pseudonym(self.from_user)
        if self.msg_id:
            return f"msg:{sender}:{self.msg_id}"
        key_digest = hashlib.sha256(self.event_key.encode()).hexdigest()[:16]
        return f"event:{sender}:{self.create_time}:{self.event}:{key_digest}"

    @property
    def is_known(self) -> bool:
        if self.msg_type == "event":
            return self.event in KNOWN_EVENTS
        return self.msg_type in MESSAGE_KINDS

    def to_incoming(self) -> IncomingMessage:
        """Return the message in the inbox's common form."""
        kind = MESSAGE_KINDS[self.msg_type] if self.is_known else MessageKind.UNKNOWN
        attributes = dict(self.fields)
        if self.event_key:
            attributes["EventKey"] = self.event_key
        if not self.is_known:
            attributes["MsgType"] = self.msg_type
        return IncomingMessage(
            external_id=self.from_user,
            kind=kind,
            sent_at=datetime.fromtimestamp(self.create_time, tz=UTC),
            text=self._resident_text(),
            event=self.event if self.is_known else "",
            attributes=attributes,
        )

    def _resident_text(self) -> str:
        if self.msg_type == "text":
            return self.content
        if self.msg_type == "voice":
            return self.fields.get("Recognition", "")
        if self.msg_type == "link":
            return self.fields.get("Title", "")
        if self.msg_type == "location":
            return self.fields.get("Label", "")
        return ""


def _int_text(root: Element, name: str) -> int:
    raw = (root.findtext(name) or "").strip()
    if not raw.isdigit():
        raise PayloadError(f"{name} is not a number")
    return int(raw)


def _check_bounds(root: Element, create_time: int) -> None:
    if not 0 < create_time < LATEST_CREATE_TIME:
        raise PayloadError("CreateTime out of range")
    for name, limit in MAX_ID_LENGTH.items():
        if len((root.findtext(name) or "").strip()) > limit:
            raise PayloadError(f"{name} longer than {limit} characters")


def parse_message(plaintext: str) -> WeChatMessage:
    """Parse a decrypted, cleaned push into a typed message; raise PayloadError if unusable."""
    root = parse_xml(plaintext)
    if any(len(element) for name in LEAF_FIELDS for element in root.findall(name)):
        raise PayloadError("a text field holds elements")
    from_user = (root.findtext("FromUserName") or "").strip()
    msg_type = (root.findtext("MsgType") or "").strip().lower()
    if not from_user or not msg_type:
        raise PayloadError("FromUserName or MsgType missing")
    create_time = _int_text(root, "CreateTime")
    _check_bounds(root, create_time)

    return WeChatMessage(
        to_user=(root.findtext("ToUserName") or "").strip(),
        from_user=from_user,
        create_time=create_time,
        msg_type=msg_type,
        msg_id=(root.findtext("MsgId") or "").strip(),
        event=(root.findtext("Event") or "").strip().lower(),
        event_key=(root.findtext("EventKey") or "").strip(),
        content=root.findtext("Content") or "",
        fields={
            name: root.findtext(name) or "" for name in KEPT_FIELDS if root.find(name) is not None
        },
    )
