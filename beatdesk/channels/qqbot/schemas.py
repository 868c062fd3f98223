"""Typed payloads of the official QQ bot platform, parsed at the edge from untrusted JSON.

Every webhook body is one envelope `{"op", "id", "d", "s", "t"}`: op 13 asks us to prove
that we hold the bot's secret, op 0 carries an event named by `t`. Ids (openids, message
ids, event ids) are opaque strings; their alphabet is checked because they end up in
delivery keys, API paths and log lines.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from beatdesk.core.jsonin import JsonInputError, parse_json
from beatdesk.inbox.intake import IncomingMessage
from beatdesk.inbox.models import MessageKind

logger = logging.getLogger(__name__)

MAX_DEPTH = 32
MAX_ATTACHMENTS = 50
OP_DISPATCH = 0
OP_ACK = 12
OP_VALIDATION = 13
# An openid is 32 hex characters today; 60 keeps `group:<group>:<member>` within 128.
OPENID = re.compile(r"[A-Za-z0-9_-]{1,60}")
# Message and event ids: printable ASCII without spaces, e.g. `ROBOT1.0_.b6nx.CVry…!`.
OPAQUE_ID = re.compile(r"[\x21-\x7e]{1,128}")
EVENT_TYPE = re.compile(r"[A-Z0-9_]{1,48}")
# The validation fields are signed with our key. Letting only letters and digits through
# means the signed text can never be a timestamp followed by a JSON body, so the handshake
# cannot be used to make us sign a forged event.
PLAIN_TOKEN = re.compile(r"[A-Za-z0-9]{1,64}")
EVENT_TS = re.compile(r"[0-9]{1,12}")
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

C2C_MESSAGE = "C2C_MESSAGE_CREATE"
GROUP_AT_MESSAGE = "GROUP_AT_MESSAGE_CREATE"
GROUP_EVENTS = {"GROUP_ADD_ROBOT", "GROUP_DEL_ROBOT", "GROUP_MSG_REJECT", "GROUP_MSG_RECEIVE"}
FRIEND_EVENTS = {"FRIEND_ADD", "FRIEND_DEL", "C2C_MSG_REJECT", "C2C_MSG_RECEIVE"}
MEDIA_KINDS = {
    "image": MessageKind.IMAGE,
    "video": MessageKind.VIDEO,
    "voice": MessageKind.VOICE,
    "audio": MessageKind.VOICE,
    "file": MessageKind.LINK,
}


class PayloadError(ValueError):
    """The body is not a QQ bot payload we can read."""


def clean_text(text: str) -> str:
    """Remove characters no column can hold; everything else is kept as written."""
    return ILLEGAL_CHARACTERS.sub("", text)


def load_json(body: str) -> dict[str, Any]:
    """Parse the body as one JSON object no deeper than MAX_DEPTH; raise PayloadError."""
    try:
        value = parse_json(body, max_depth=MAX_DEPTH, check_strings=False)
    except JsonInputError as error:
        raise PayloadError(error.code) from None
    if not isinstance(value, dict):
        raise PayloadError("the body is not a JSON object")
    return value


def _string(data: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise PayloadError(f"{name} is missing or malformed")
    return value


def _object(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{name} is not an object")
    return value


# The envelope.


@dataclass(frozen=True)
class Envelope:
    """The outer payload; `data` is still raw and read only by the parsers below."""

    op: int
    event_id: str
    event_type: str
    data: object


def parse_envelope(body: str) -> Envelope:
    """Parse a cleaned webhook body into its envelope; raise PayloadError if unusable."""
    raw = load_json(body)
    op = raw.get("op")
    if not isinstance(op, int) or isinstance(op, bool):
        raise PayloadError("op is not a number")
    event_id = raw.get("id")
    event_type = raw.get("t")
    return Envelope(
        op=op,
        event_id=event_id if isinstance(event_id, str) and OPAQUE_ID.fullmatch(event_id) else "",
        event_type=event_type if isinstance(event_type, str) else "",
        data=raw.get("d"),
    )


@dataclass(frozen=True)
class Validation:
    """The platform's challenge when the callback address is saved (op 13)."""

    plain_token: str
    event_ts: str

    @property
    def signed_text(self) -> bytes:
        """Return what the answer's signature covers: event_ts, then plain_token."""
        return (self.event_ts + self.plain_token).encode("ascii")


def parse_validation(envelope: Envelope) -> Validation:
    data = _object(envelope.data, "d")
    return Validation(
        plain_token=_string(data, "plain_token", PLAIN_TOKEN),
        event_ts=_string(data, "event_ts", EVENT_TS),
    )


# Conversations: who an answer goes back to.


@dataclass(frozen=True)
class Conversation:
    """Where a resident wrote: privately to the bot, or in a group (group_openid set).

    Openids differ per bot: the same person has one openid in private chat and another,
    `member_openid`, in each group, so a group member is a resident of that group.
    """

    user_openid: str
    group_openid: str = ""

    @property
    def external_id(self) -> str:
        if self.group_openid:
            return f"group:{self.group_openid}:{self.user_openid}"
        return f"c2c:{self.user_openid}"


def parse_conversation(external_id: str) -> Conversation:
    """Read a resident's external id back; raise PayloadError if it is not ours."""
    parts = external_id.split(":")
    if not all(OPENID.fullmatch(part) for part in parts[1:]):
        raise PayloadError("not a QQ bot conversation id")
    if len(parts) == 2 and parts[0] == "c2c":
        return Conversation(parts[1])
    if len(parts) == 3 and parts[0] == "group":
        return Conversation(parts[2], parts[1])
    raise PayloadError("not a QQ bot conversation id")


# Events.


def parse_time(value: object) -> datetime:
    """Read a timestamp given as Unix seconds or as RFC 3339 text (both occur)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    moment: datetime | None = None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**32:
        moment = datetime.fromtimestamp(value, tz=UTC)
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None or not EARLIEST <= moment < LATEST:
        raise PayloadError("timestamp is missing or out of range")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Attachment:
    """A picture, voice, video or file sent with a message; only its address is kept."""

    content_type: str
    url: str

    @property
    def kind(self) -> MessageKind:
        family = self.content_type.split("/")[0]
        return MEDIA_KINDS.get(family, MessageKind.UNKNOWN)


def _attachment(item: object) -> Attachment | None:
    if not isinstance(item, dict):
        return None
    content_type, url = item.get("content_type"), item.get("url")
    return Attachment(
        clean_text(content_type)[:64] if isinstance(content_type, str) else "",
        clean_text(url)[:500] if isinstance(url, str) else "",
    )


def _attachments(value: object) -> tuple[tuple[Attachment, ...], int]:
    """Return the readable attachments and how many unreadable ones (a null) were skipped."""
    if value is None:
        return (), 0
    if not isinstance(value, list) or len(value) > MAX_ATTACHMENTS:
        raise PayloadError("attachments is not a list of files")
    found = [_attachment(item) for item in value]
    kept = tuple(item for item in found if item is not None)
    return kept, len(found) - len(kept)


@dataclass(frozen=True)
class MessageEvent:
    """A resident's message: private (C2C) or an @-mention of the bot in a group."""

    event_id: str
    event_type: str
    message_id: str
    conversation: Conversation
    content: str
    sent_at: datetime
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    skipped_attachments: int = 0

    @property
    def delivery_key(self) -> str:
        # Keyed on the message id, not the event id: the platform warns that the same
        # message can be pushed twice, and nothing says the second push keeps its event id.
        return f"msg:{self.message_id}"

    @property
    def scene(self) -> str:
        return "group" if self.conversation.group_openid else "c2c"

    @property
    def text(self) -> str:
        return self.content.strip()

    @property
    def kind(self) -> MessageKind:
        if self.text:
            return MessageKind.TEXT
        kinds = [attachment.kind for attachment in self.attachments]
        return next((kind for kind in kinds if kind != MessageKind.UNKNOWN), MessageKind.UNKNOWN)

    def attributes(self) -> dict[str, str]:
        """Return the typed fields kept with the message, including the passive reply id."""
        found = {"scene": self.scene, "message_id": self.message_id}
        if self.conversation.group_openid:
            found["group_openid"] = self.conversation.group_openid
        media = next((item.url for item in self.attachments if item.url), "")
        if media:
            found["media_url"] = media
        if self.attachments:
            types = ",".join(item.content_type for item in self.attachments)
            found["attachment_types"] = types[:200]
        if self.skipped_attachments:
            found["skipped_attachments"] = str(self.skipped_attachments)
        return found

    def to_incoming(self) -> IncomingMessage:
        return IncomingMessage(
            external_id=self.conversation.external_id,
            kind=self.kind,
            sent_at=self.sent_at,
            text=self.text,
            attributes=self.attributes(),
        )


@dataclass(frozen=True)
class MembershipEvent:
    """The bot added to or removed from a group or a friend list, or pushes switched."""

    event_id: str
    event_type: str
    conversation: Conversation
    sent_at: datetime

    @property
    def delivery_key(self) -> str:
        return f"event:{self.event_id}" if self.event_id else ""

    def to_incoming(self) -> IncomingMessage:
        attributes = {"scene": "group" if self.conversation.group_openid else "c2c"}
        if self.conversation.group_openid:
            attributes["group_openid"] = self.conversation.group_openid
        return IncomingMessage(
            external_id=self.conversation.external_id,
            kind=MessageKind.EVENT,
            sent_at=self.sent_at,
            event=self.event_type.lower(),
            attributes=attributes,
        )


@dataclass(frozen=True)
class OtherEvent:
    """An event we do not handle (guild channels, interactions, unknown types)."""

    event_id: str
    event_type: str

    @property
    def delivery_key(self) -> str:
        return f"event:{self.event_id}" if self.event_id else ""


Event = MessageEvent | MembershipEvent | OtherEvent


def _message_event(envelope: Envelope, data: dict[str, Any]) -> MessageEvent:
    author = _object(data.get("author"), "author")
    if envelope.event_type == GROUP_AT_MESSAGE:
        conversation = Conversation(
            _string(author, "member_openid", OPENID), _string(data, "group_openid", OPENID)
        )
    else:
        conversation = Conversation(_string(author, "user_openid", OPENID))
    content = data.get("content", "")
    if not isinstance(content, str):
        raise PayloadError("content is not text")
    attachments, skipped = _attachments(data.get("attachments"))
    return MessageEvent(
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        message_id=_string(data, "id", OPAQUE_ID),
        conversation=conversation,
        content=clean_text(content),
        sent_at=parse_time(data.get("timestamp")),
        attachments=attachments,
        skipped_attachments=skipped,
    )


def _membership_event(envelope: Envelope, data: dict[str, Any]) -> MembershipEvent:
    if envelope.event_type in GROUP_EVENTS:
        conversation = Conversation(
            _string(data, "op_member_openid", OPENID), _string(data, "group_openid", OPENID)
        )
    else:
        conversation = Conversation(_string(data, "openid", OPENID))
    return MembershipEvent(
        envelope.event_id, envelope.event_type, conversation, parse_time(data.get("timestamp"))
    )


def parse_event(envelope: Envelope) -> Event:
    """Read a dispatch (op 0) into a typed event; raise PayloadError if it is unusable."""
    event_type = envelope.event_type
    if not EVENT_TYPE.fullmatch(event_type):
        raise PayloadError("t is missing or malformed")
    if event_type in {C2C_MESSAGE, GROUP_AT_MESSAGE}:
        return _message_event(envelope, _object(envelope.data, "d"))
    if event_type in GROUP_EVENTS | FRIEND_EVENTS:
        return _membership_event(envelope, _object(envelope.data, "d"))
    return OtherEvent(envelope.event_id, event_type)
