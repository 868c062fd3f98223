"""Typed OneBot v11 events, parsed at the edge from untrusted JSON.

QQ numbers, group numbers and message ids are kept as text: they pass 2^53, where the
JavaScript implementations (NapCat) lose digits, and NapCat sends them as numbers or as
strings depending on the field. A message arrives as a CQ-code string or as an array of
segments (NapCat's default); both end up as the same tuple of segments.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from beatdesk.core.jsonin import JsonInputError, parse_json
from beatdesk.core.secrets import pseudonym
from beatdesk.inbox.intake import IncomingMessage
from beatdesk.inbox.models import MessageKind

logger = logging.getLogger(__name__)

MAX_DEPTH = 32
MAX_SEGMENTS = 500
LATEST_TIME = 4102444800  # 2100-01-01
ID_PATTERN = re.compile(r"-?[0-9]{1,24}")
WORD_PATTERN = re.compile(r"[a-z_]{1,32}")
# Characters no database column or log should carry: C0 controls other than tab and line
# breaks, DEL, lone surrogates (JSON can spell them as \ud800) and the two non-characters.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
CQ_CODE = re.compile(r"\[CQ:([^,\[\]]+)((?:,[^,\[\]]*)*)\]")
MEDIA_KINDS = {
    "image": MessageKind.IMAGE,
    "record": MessageKind.VOICE,
    "video": MessageKind.VIDEO,
    "location": MessageKind.LOCATION,
    "share": MessageKind.LINK,
}
KNOWN_NOTICES = {"group_increase", "group_decrease"}


class PayloadError(ValueError):
    """The body is not a OneBot event we can read."""


def clean_text(text: str) -> str:
    """Remove characters no column can hold; everything else is kept as written."""
    return ILLEGAL_CHARACTERS.sub("", text)


def load_json(body: str) -> dict[str, Any]:
    """Parse the body as one JSON object no deeper than MAX_DEPTH; raise PayloadError.

    The project's strict parser refuses duplicate keys, NaN and absurd numbers as it does
    for the API; stray characters in strings are left for `clean_text` to remove.
    """
    try:
        value = parse_json(body, max_depth=MAX_DEPTH, check_strings=False)
    except JsonInputError as error:
        raise PayloadError(error.code) from None
    if not isinstance(value, dict):
        raise PayloadError("the body is not a JSON object")
    if not _depth_within(value, MAX_DEPTH):
        raise PayloadError(f"the body nests deeper than {MAX_DEPTH} levels")
    return value


def _depth_within(value: object, limit: int) -> bool:
    # An explicit stack, because the point is to refuse what would exhaust recursion.
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: list[object]
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = list(item)
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


# Segments and CQ codes.


@dataclass(frozen=True)
class Segment:
    """One part of a message: its type and its data as text."""

    type: str
    data: dict[str, str] = field(default_factory=dict)

    def to_wire(self) -> dict[str, object]:
        """Return the segment as the array format spells it."""
        return {"type": self.type, "data": self.data}


@dataclass(frozen=True)
class Segments:
    """The parts of a message, and how many unreadable parts were skipped."""

    items: tuple[Segment, ...]
    skipped: int = 0


def _unescape(text: str, in_value: bool) -> str:
    # `&amp;` goes last so that an escaped escape such as `&amp;#91;` stays literal.
    if in_value:
        text = text.replace("&#44;", ",")
    return text.replace("&#91;", "[").replace("&#93;", "]").replace("&amp;", "&")


def _text_segment(text: str) -> Segment:
    return Segment("text", {"text": clean_text(_unescape(text, in_value=False))})


def _cq_segment(name: str, params: str) -> Segment:
    data: dict[str, str] = {}
    for pair in params.split(",")[1:]:
        key, _separator, value = pair.partition("=")
        data[key] = clean_text(_unescape(value, in_value=True))
    return Segment(name, data)


def parse_cq_string(message: str) -> tuple[Segment, ...]:
    """Split a CQ-code string into segments; text between codes is unescaped."""
    segments: list[Segment] = []
    position = 0
    for match in CQ_CODE.finditer(message):
        if match.start() > position:
            segments.append(_text_segment(message[position : match.start()]))
        segments.append(_cq_segment(match.group(1), match.group(2)))
        position = match.end()
    if position < len(message):
        segments.append(_text_segment(message[position:]))
    return tuple(segments)


def _data_value(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return clean_text(str(value))
    # Nested values (a forwarded message's content) stay only in the raw record.
    return None


def _array_segment(item: object) -> Segment | None:
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        return None
    data = item.get("data")
    if not isinstance(data, dict):
        return None
    values = {str(key): _data_value(value) for key, value in data.items()}
    return Segment(
        item["type"], {key: value for key, value in values.items() if value is not None}
    )


def parse_segment_array(items: list[object]) -> Segments:
    """Read an array of segments, skipping (and counting) nulls and segments without data."""
    segments = [_array_segment(item) for item in items]
    kept = tuple(segment for segment in segments if segment is not None)
    return Segments(kept, len(segments) - len(kept))


def parse_message_field(value: object) -> Segments:
    """Read the `message` field in any of its three spellings: string, array, one segment."""
    if isinstance(value, str):
        segments = Segments(parse_cq_string(value))
    elif isinstance(value, list):
        segments = parse_segment_array(value)
    elif isinstance(value, dict):
        segments = parse_segment_array([value])
    else:
        raise PayloadError("message is neither a string nor segments")
    if len(segments.items) > MAX_SEGMENTS:
        raise PayloadError(f"message has more than {MAX_SEGMENTS} segments")
    return segments


# Conversations: who an answer goes back to.


@dataclass(frozen=True)
class Conversation:
    """Where a resident wrote: privately to the bot, or in a group (group_id set)."""

    user_id: str
    group_id: str = ""

    @property
    def external_id(self) -> str:
        """The resident's id on the account: one per person privately, one per group member."""
        if self.group_id:
            return f"group:{self.group_id}:{self.user_id}"
        return f"private:{self.user_id}"


def parse_conversation(external_id: str) -> Conversation:
    """Read a resident's external id back into a conversation; raise PayloadError if foreign."""
    parts = external_id.split(":")
    if len(parts) == 2 and parts[0] == "private" and ID_PATTERN.fullmatch(parts[1]):
        return Conversation(parts[1])
    ids_valid = all(ID_PATTERN.fullmatch(part) for part in parts[1:])
    if len(parts) == 3 and parts[0] == "group" and ids_valid:
        return Conversation(parts[2], parts[1])
    raise PayloadError("not a OneBot conversation id")


# Events.


@dataclass(frozen=True)
class OneBotIncoming(IncomingMessage):
    """The inbox's common form, plus whether this message is a matter to handle.

    Group chatter is kept for context but opens no case; the inbox asks `opens_case`.
    """

    becomes_case: bool = True

    @property
    def opens_case(self) -> bool:
        return self.becomes_case and super().opens_case


def message_key_prefix(event: "MessageEvent", message_id: str) -> str:
    """Return the start of the delivery key of a message in the event's chat.

    The chat (a group or a person's QQ number) appears as a keyed digest: delivery keys
    are stored in the clear, because they must be unique.
    """
    chat = pseudonym(event.group_id or event.user_id)
    return f"msg:{event.self_id}:{event.message_type}:{chat}:{message_id}:"


@dataclass(frozen=True)
class MessageEvent:
    """A private or group message from a person."""

    self_id: str
    time: int
    message_type: str
    sub_type: str
    message_id: str
    user_id: str
    group_id: str
    segments: Segments

    @property
    def delivery_key(self) -> str:
        # The chat and the time are in the key as well as the message id, so that two
        # chats' messages can never be taken for one even if short ids repeat.
        return message_key_prefix(self, self.message_id) + str(self.time)

    @property
    def conversation(self) -> Conversation:
        return Conversation(self.user_id, self.group_id)

    @property
    def text(self) -> str:
        parts = [seg.data.get("text", "") for seg in self.segments.items if seg.type == "text"]
        return "".join(parts).strip()

    @property
    def mentions(self) -> list[str]:
        return [seg.data.get("qq", "") for seg in self.segments.items if seg.type == "at"]

    @property
    def reply_to(self) -> str:
        replies = [seg.data.get("id", "") for seg in self.segments.items if seg.type == "reply"]
        return next((reply for reply in replies if ID_PATTERN.fullmatch(reply)), "")

    @property
    def kind(self) -> MessageKind:
        if self.text:
            return MessageKind.TEXT
        types = [segment.type for segment in self.segments.items]
        media = next((MEDIA_KINDS[kind] for kind in types if kind in MEDIA_KINDS), None)
        if media is not None:
            return media
        return MessageKind.TEXT if {"at", "reply"} & set(types) else MessageKind.UNKNOWN

    def attributes(self) -> dict[str, str]:
        """Return the typed fields kept with the message; the rest stays in the raw record."""
        found = {"message_type": self.message_type, "message_id": self.message_id}
        optional = {
            "group_id": self.group_id,
            "sub_type": self.sub_type,
            "mentions": ",".join(self.mentions),
            "reply_to": self.reply_to,
            "media_url": self._media_url(),
            "skipped_segments": str(self.segments.skipped) if self.segments.skipped else "",
        }
        found.update({key: value for key, value in optional.items() if value})
        if self.kind == MessageKind.UNKNOWN:
            found["segment_types"] = ",".join(s.type for s in self.segments.items)[:200]
        return found

    def _media_url(self) -> str:
        for segment in self.segments.items:
            if segment.type in MEDIA_KINDS:
                return segment.data.get("url", "") or segment.data.get("file", "")
        return ""

    def to_incoming(self, route: str, extra: dict[str, str]) -> OneBotIncoming:
        """Return the message in the inbox's common form; without a route it opens no case."""
        attributes = self.attributes() | extra
        if route:
            attributes["route"] = route
        return OneBotIncoming(
            external_id=self.conversation.external_id,
            kind=self.kind,
            sent_at=datetime.fromtimestamp(self.time, tz=UTC),
            text=self.text,
            attributes=attributes,
            becomes_case=bool(route),
        )


@dataclass(frozen=True)
class NoticeEvent:
    """Something that happened in a group or to a friend, such as a member joining."""

    self_id: str
    time: int
    notice_type: str
    sub_type: str
    group_id: str
    user_id: str
    operator_id: str

    @property
    def is_known(self) -> bool:
        return self.notice_type in KNOWN_NOTICES and bool(self.group_id and self.user_id)

    @property
    def delivery_key(self) -> str:
        people = pseudonym(f"{self.group_id}:{self.user_id}:{self.operator_id}")
        return f"notice:{self.self_id}:{self.notice_type}:{self.sub_type}:{people}:{self.time}"

    def to_incoming(self) -> OneBotIncoming:
        return OneBotIncoming(
            external_id=Conversation(self.user_id, self.group_id).external_id,
            kind=MessageKind.EVENT,
            sent_at=datetime.fromtimestamp(self.time, tz=UTC),
            event=self.notice_type,
            attributes={"group_id": self.group_id, "sub_type": self.sub_type},
            becomes_case=False,
        )


@dataclass(frozen=True)
class MetaEvent:
    """A heartbeat or lifecycle report of the OneBot implementation itself."""

    self_id: str
    time: int
    meta_event_type: str
    sub_type: str


@dataclass(frozen=True)
class SelfMessageEvent:
    """The bot's own message echoed back (NapCat's `message_sent`); never handled."""

    self_id: str
    time: int


@dataclass(frozen=True)
class OtherEvent:
    """An event we do not handle (requests, unknown post types); stored raw only."""

    self_id: str
    time: int
    post_type: str
    detail_type: str


Event = MessageEvent | NoticeEvent | MetaEvent | SelfMessageEvent | OtherEvent


def _id(body: dict[str, Any], name: str, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value.strip()):
        raise PayloadError(f"{name} is not an id")
    return value.strip()


def _word(body: dict[str, Any], name: str) -> str:
    # Type names go into keys and log lines, so anything but a short plain word is "?".
    value = body.get(name)
    if isinstance(value, str) and WORD_PATTERN.fullmatch(value):
        return value
    return "" if value is None else "?"


def _time(body: dict[str, Any]) -> int:
    value = body.get("time")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < LATEST_TIME:
        raise PayloadError("time is missing or out of range")
    return value


def _message_event(body: dict[str, Any], self_id: str, time: int) -> MessageEvent:
    message_type = _word(body, "message_type")
    if message_type not in {"private", "group"}:
        raise PayloadError("message_type is neither private nor group")
    group_id = _id(body, "group_id") if message_type == "group" else ""
    return MessageEvent(
        self_id=self_id,
        time=time,
        message_type=message_type,
        sub_type=_word(body, "sub_type"),
        message_id=_id(body, "message_id"),
        user_id=_id(body, "user_id"),
        group_id=group_id,
        segments=parse_message_field(body.get("message")),
    )


def _notice_event(body: dict[str, Any], self_id: str, time: int) -> NoticeEvent:
    return NoticeEvent(
        self_id=self_id,
        time=time,
        notice_type=_word(body, "notice_type"),
        sub_type=_word(body, "sub_type"),
        group_id=_id(body, "group_id", required=False),
        user_id=_id(body, "user_id", required=False),
        operator_id=_id(body, "operator_id", required=False),
    )


def parse_event(body: str) -> Event:
    """Parse a cleaned event body into a typed event; raise PayloadError if unusable."""
    data = load_json(body)
    self_id, time, post_type = _id(data, "self_id"), _time(data), _word(data, "post_type")
    if post_type == "message":
        event = _message_event(data, self_id, time)
        # Some implementations report the bot's own messages as ordinary messages.
        if event.user_id == self_id:
            return SelfMessageEvent(self_id, time)
        return event
    if post_type == "message_sent":
        return SelfMessageEvent(self_id, time)
    if post_type == "notice":
        return _notice_event(data, self_id, time)
    if post_type == "meta_event":
        return MetaEvent(self_id, time, _word(data, "meta_event_type"), _word(data, "sub_type"))
    detail = _word(data, f"{post_type}_type") if post_type != "?" else ""
    return OtherEvent(self_id, time, post_type or "?", detail)
