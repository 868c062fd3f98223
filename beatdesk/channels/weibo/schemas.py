"""Typed Weibo payloads, parsed at the edge from untrusted JSON.

Every id is kept as text and read from `idstr` where the API offers it: Weibo's ids pass
2^53, and the numeric `id` beside it is only safe in languages that read integers exactly.
Two sources arrive here: items of the polled lists (comments and posts, one stored
delivery per item) and pushes of the fan-service platform (private messages and events).
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from beatdesk.core.jsonin import JsonInputError, parse_json
from beatdesk.core.secrets import pseudonym
from beatdesk.inbox.intake import Event, IncomingMessage
from beatdesk.inbox.models import MessageKind

logger = logging.getLogger(__name__)

MAX_DEPTH = 32
SAFE_INTEGER = 2**53
ID_PATTERN = re.compile(r"[0-9]{1,24}")
WORD_PATTERN = re.compile(r"[A-Za-z_]{1,32}")
CREATED_AT_FORMAT = "%a %b %d %H:%M:%S %z %Y"
# Characters no database column or log should carry: C0 controls other than tab and line
# breaks, DEL, lone surrogates and the two non-characters.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
PUSH_KINDS = {
    "text": MessageKind.TEXT,
    "image": MessageKind.IMAGE,
    "voice": MessageKind.VOICE,
    "position": MessageKind.LOCATION,
}
PUSH_EVENTS = {
    "follow": Event.SUBSCRIBE,
    "unfollow": Event.UNSUBSCRIBE,
    "click": Event.CLICK,
    "view": Event.VIEW,
    "scan": Event.SCAN,
    "scan_follow": Event.SCAN,
}


class PayloadError(ValueError):
    """The body is not a Weibo payload we can read."""


def clean_text(text: str) -> str:
    """Remove characters no column can hold; everything else, markup included, stays."""
    return ILLEGAL_CHARACTERS.sub("", text)


def load_json(body: bytes | str) -> dict[str, Any]:
    """Parse one JSON object with the project's strict parser; raise PayloadError."""
    try:
        value = parse_json(body, max_depth=MAX_DEPTH, check_strings=False)
    except JsonInputError as error:
        raise PayloadError(error.code) from None
    if not isinstance(value, dict):
        raise PayloadError("the body is not a JSON object")
    return value


def id_of(item: object, text_key: str = "idstr", number_key: str = "id") -> str:
    """Return an object's id as text, or "" if it has none we can trust.

    The text spelling wins. A bare number is taken only below 2^53, where every JSON
    reader on the way agrees on its digits.
    """
    if not isinstance(item, dict):
        return ""
    text = item.get(text_key)
    if isinstance(text, str) and ID_PATTERN.fullmatch(text):
        return text
    number = item.get(number_key)
    if isinstance(number, int) and not isinstance(number, bool) and 0 < number < SAFE_INTEGER:
        return str(number)
    return ""


def parse_created_at(value: object) -> datetime:
    """Read Weibo's `Wed Jun 01 00:50:25 +0800 2011`; raise PayloadError otherwise."""
    if not isinstance(value, str):
        raise PayloadError("created_at is missing")
    try:
        return datetime.strptime(value.strip(), CREATED_AT_FORMAT)
    except ValueError:
        raise PayloadError("created_at is not in Weibo's format") from None


def _text(item: dict[str, Any], key: str = "text") -> str:
    value = item.get(key)
    return clean_text(value) if isinstance(value, str) else ""


# Polled lists.


@dataclass(frozen=True)
class Stream:
    """One list the poller reads: its name, API path and the key its items come under."""

    name: str
    path: str
    list_key: str
    item_kind: str


COMMENTS_TO_ME = Stream("comments_to_me", "/2/comments/to_me.json", "comments", "comment")
COMMENT_MENTIONS = Stream("comments_mentions", "/2/comments/mentions.json", "comments", "comment")
STATUS_MENTIONS = Stream("statuses_mentions", "/2/statuses/mentions.json", "statuses", "status")
STREAMS = (COMMENTS_TO_ME, COMMENT_MENTIONS, STATUS_MENTIONS)
STREAMS_BY_NAME = {stream.name: stream for stream in STREAMS}


@dataclass(frozen=True)
class PageItem:
    """One readable item of a page: its id and the object exactly as it came."""

    item_id: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class Page:
    """A page of a list, newest first, and how many entries were skipped as unreadable."""

    items: tuple[PageItem, ...]
    skipped: int = 0
    has_more: bool = False

    @property
    def oldest_id(self) -> str:
        return min((item.item_id for item in self.items), key=int, default="")

    @property
    def newest_id(self) -> str:
        return max((item.item_id for item in self.items), key=int, default="")


def parse_page(body: bytes, stream: Stream) -> Page:
    """Read a page of a list; a null or an entry without an id is skipped and counted."""
    data = load_json(body)
    entries = data.get(stream.list_key)
    if not isinstance(entries, list):
        raise PayloadError(f"the page has no {stream.list_key} list")
    items = [PageItem(id_of(entry), entry) for entry in entries if id_of(entry)]
    # `next_cursor` 0 says the list ends here; a page shorter than asked does not, since
    # Weibo leaves out items it hides from the reader.
    next_cursor = data.get("next_cursor", 1)
    has_more = bool(entries) and next_cursor not in (0, "0")
    return Page(tuple(items), len(entries) - len(items), has_more)


def delivery_payload(stream: Stream, item: PageItem) -> str:
    """Return what is stored to be parsed later: the stream's name and the item."""
    return json.dumps({"stream": stream.name, "item": item.raw}, ensure_ascii=False)


def delivery_key(stream: Stream, item: PageItem) -> str:
    # A comment that both answers our post and mentions us comes in two lists: one key.
    return f"{stream.item_kind}:{item.item_id}"


@dataclass(frozen=True)
class PolledItem:
    """A comment or post that speaks to the account, as the inbox needs it."""

    stream: str
    item_kind: str
    item_id: str
    user_id: str
    created_at: datetime
    text: str
    status_id: str
    reply_to_comment_id: str = ""
    mentions_without_user: int = 0

    @property
    def external_id(self) -> str:
        """The resident's id on the account: public conversation with one Weibo user."""
        return f"public:{self.user_id}"

    def attributes(self) -> dict[str, str]:
        """Return what an answer needs to find its way back; the rest stays raw."""
        found = {"stream": self.stream, "item_kind": self.item_kind}
        optional = {
            "comment_id": self.item_id if self.item_kind == "comment" else "",
            "status_id": self.status_id,
            "reply_to_comment_id": self.reply_to_comment_id,
        }
        found.update({key: value for key, value in optional.items() if value})
        return found

    def to_incoming(self) -> IncomingMessage:
        return IncomingMessage(
            external_id=self.external_id,
            kind=MessageKind.TEXT if self.text else MessageKind.UNKNOWN,
            sent_at=self.created_at.astimezone(UTC),
            text=self.text,
            attributes=self.attributes(),
        )


def parse_polled(payload: str) -> PolledItem:
    """Parse a stored list item; raise PayloadError if it names no author or time."""
    data = load_json(payload)
    stream = STREAMS_BY_NAME.get(str(data.get("stream")))
    item = data.get("item")
    if stream is None or not isinstance(item, dict):
        raise PayloadError("not a stored Weibo list item")
    user_id = id_of(item.get("user"))
    if not user_id:
        raise PayloadError("the item has no readable author")
    # A post that mentions us is itself the thing to comment under.
    status_id = id_of(item) if stream.item_kind == "status" else id_of(item.get("status"))
    return PolledItem(
        stream=stream.name,
        item_kind=stream.item_kind,
        item_id=id_of(item),
        user_id=user_id,
        created_at=parse_created_at(item.get("created_at")),
        text=_text(item),
        status_id=status_id,
        reply_to_comment_id=id_of(item.get("reply_comment")),
    )


# Fan-service pushes.


@dataclass(frozen=True)
class Push:
    """A private message or event the fan-service platform pushed."""

    type: str
    subtype: str
    receiver_id: str
    sender_id: str
    created_at: datetime
    text: str
    data: dict[str, str] = field(default_factory=dict)

    @property
    def external_id(self) -> str:
        return f"private:{self.sender_id}"

    @property
    def is_known(self) -> bool:
        return self.type in PUSH_KINDS or (self.type == "event" and self.subtype in PUSH_EVENTS)

    @property
    def opens_window(self) -> bool:
        """Whether it lets the account write privately for 48 hours (not an unfollow)."""
        return self.type in PUSH_KINDS or self.subtype in {
            "follow",
            "click",
            "scan",
            "scan_follow",
        }

    @property
    def delivery_key(self) -> str:
        # The platform names no message id; sender and time tell retries apart from new
        # messages, and the content digest keeps two messages in one second apart.
        content = json.dumps([self.type, self.subtype, self.text, self.data], sort_keys=True)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
        moment = int(self.created_at.timestamp())
        sender = pseudonym(str(self.sender_id))
        return f"push:{self.receiver_id}:{sender}:{moment}:{self.type}:{digest}"

    def to_incoming(self) -> IncomingMessage:
        attributes = {"push_type": self.type}
        attributes.update({key: value for key, value in self.data.items() if key != "subtype"})
        if self.type == "event":
            return IncomingMessage(
                external_id=self.external_id,
                kind=MessageKind.EVENT,
                sent_at=self.created_at.astimezone(UTC),
                event=PUSH_EVENTS.get(self.subtype, self.subtype),
                attributes=attributes,
            )
        return IncomingMessage(
            external_id=self.external_id,
            kind=PUSH_KINDS.get(self.type, MessageKind.UNKNOWN),
            sent_at=self.created_at.astimezone(UTC),
            text=self.text if self.type == "text" else "",
            attributes=attributes,
        )


def _push_id(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return value
    raise PayloadError(f"{name} is not an id")


def _push_data(value: object) -> dict[str, str]:
    # Media ids, coordinates and event keys are flat values; anything nested stays raw.
    if not isinstance(value, dict):
        return {}
    flat = {
        str(key)[:32]: clean_text(str(item))[:200]
        for key, item in value.items()
        if isinstance(item, str | int | float) and not isinstance(item, bool)
    }
    return flat


def _word(value: object) -> str:
    # Type names go into keys and log lines, so anything but a short plain word is "?".
    if isinstance(value, str) and WORD_PATTERN.fullmatch(value):
        return value.lower()
    return "" if value is None else "?"


def parse_push(body: str) -> Push:
    """Parse a cleaned push body into a typed push; raise PayloadError if unusable."""
    data = load_json(body)
    raw_data = data.get("data")
    return Push(
        type=_word(data.get("type")),
        subtype=_word(raw_data.get("subtype")) if isinstance(raw_data, dict) else "",
        receiver_id=_push_id(data, "receiver_id"),
        sender_id=_push_id(data, "sender_id"),
        created_at=parse_created_at(data.get("created_at")),
        text=_text(data),
        data=_push_data(raw_data),
    )
