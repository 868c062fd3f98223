"""Post events to Beatdesk exactly as NapCat does, for tests and the demo.

This module plays a OneBot v11 implementation's HTTP POST transport: it builds events in
NapCat's shape (array messages by default, its extra fields), serialises them the way
`JSON.stringify` does (compact, non-ASCII as raw UTF-8), and signs the exact bytes sent
with HMAC-SHA1 keyed by the token, in lower-case headers. It shares no code with the
product, so a defect in our verification or parsing shows up as a disagreement.

The builders do not clean what they are given: tests must be able to send exactly the
hostile content real groups carry.
"""

import hashlib
import hmac
import http.client
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Json = dict[str, Any]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
POST_TIMEOUT_SECONDS = 10


def text(content: str) -> Json:
    return {"type": "text", "data": {"text": content}}


def at(qq: int | str) -> Json:
    return {"type": "at", "data": {"qq": str(qq)}}


def reply(message_id: int | str) -> Json:
    return {"type": "reply", "data": {"id": str(message_id)}}


def image(url: str) -> Json:
    return {"type": "image", "data": {"file": "0a1b2c.jpg", "url": url, "summary": ""}}


def _escape(value: str, in_value: bool = False) -> str:
    escaped = value.replace("&", "&amp;").replace("[", "&#91;").replace("]", "&#93;")
    return escaped.replace(",", "&#44;") if in_value else escaped


def cq_string(segments: list[Any]) -> str:
    """Render segments as a CQ-code string, escaped as OneBot v11 specifies."""
    parts = []
    for segment in segments:
        if not isinstance(segment, dict):
            continue
        data = segment.get("data") or {}
        if segment.get("type") == "text":
            parts.append(_escape(str(data.get("text", ""))))
        else:
            params = "".join(f",{k}={_escape(str(v), in_value=True)}" for k, v in data.items())
            parts.append(f"[CQ:{segment.get('type')}{params}]")
    return "".join(parts)


def encode(event: Json) -> bytes:
    """Serialise like JavaScript's JSON.stringify: no spaces, non-ASCII left as UTF-8."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """Return the X-Signature header value for body."""
    # SHA-1 is what OneBot v11 specifies for this HMAC; the choice is the protocol's.
    return "sha1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()


@dataclass(frozen=True)
class PeerResponse:
    """What our endpoint answered: the status, and the quick operation if there was one."""

    status: int
    body: bytes

    @property
    def quick_operation(self) -> Json | None:
        # NapCat reads 204, or 200 with an empty body, as "nothing to do".
        if self.status == 204 or not self.body.strip():
            return None
        value = json.loads(self.body)
        return value if isinstance(value, dict) else None


class OneBotPeer:
    """One bot (self_id) whose events are signed with secret."""

    def __init__(self, self_id: int, secret: str, *, string_ids: bool = False) -> None:
        self.self_id = self_id
        self.secret = secret
        # NapCat sends most ids as numbers but some as strings; tests can choose.
        self.string_ids = string_ids
        self._message_ids = itertools.count(100001)

    def _id(self, value: int | str) -> int | str:
        return str(value) if self.string_ids else int(value)

    def _base(self, post_type: str, when: int | None) -> Json:
        moment = int(time.time()) if when is None else when
        return {"time": moment, "self_id": self._id(self.self_id), "post_type": post_type}

    # Messages.

    def group_message(
        self,
        user_id: int,
        message: list[Any] | str,
        *,
        group_id: int = 20001,
        message_id: int | None = None,
        when: int | None = None,
        as_string: bool = False,
        role: str = "member",
    ) -> Json:
        """Build a group message; a list is sent as segments unless as_string renders it."""
        event = self._message("group", user_id, message, message_id, when, as_string)
        event.update(
            {
                "sub_type": "normal",
                "group_id": self._id(group_id),
                "group_name": "城南社区警民群",
                "anonymous": None,
            }
        )
        event["sender"] |= {"card": "", "role": role, "title": "", "level": "0"}
        return event

    def private_message(
        self,
        user_id: int,
        message: list[Any] | str,
        *,
        message_id: int | None = None,
        when: int | None = None,
        as_string: bool = False,
    ) -> Json:
        event = self._message("private", user_id, message, message_id, when, as_string)
        event.update({"sub_type": "friend", "target_id": self._id(self.self_id)})
        return event

    def _message(
        self,
        message_type: str,
        user_id: int,
        message: list[Any] | str,
        message_id: int | None,
        when: int | None,
        as_string: bool,
    ) -> Json:
        segments = [text(message)] if isinstance(message, str) else message
        raw = cq_string(segments)
        identifier = next(self._message_ids) if message_id is None else message_id
        return self._base("message", when) | {
            "message_type": message_type,
            "message_id": identifier,
            "message_seq": identifier,
            "real_id": identifier,
            "real_seq": str(identifier),
            "user_id": self._id(user_id),
            "message": raw if as_string else segments,
            "raw_message": raw,
            "font": 14,
            "message_format": "string" if as_string else "array",
            "sender": {"user_id": self._id(user_id), "nickname": "居民", "sex": "unknown"},
        }

    def message_sent(self, group_id: int, content: str) -> Json:
        """Build the echo NapCat reports for the bot's own message (reportSelfMessage)."""
        event = self.group_message(self.self_id, [text(content)], group_id=group_id)
        return event | {"post_type": "message_sent"}

    # Notices, requests and meta events.

    def group_increase(
        self,
        user_id: int,
        *,
        group_id: int = 20001,
        sub_type: str = "approve",
        when: int | None = None,
    ) -> Json:
        return self._notice("group_increase", user_id, group_id, sub_type, when)

    def group_decrease(
        self,
        user_id: int,
        *,
        group_id: int = 20001,
        sub_type: str = "leave",
        when: int | None = None,
    ) -> Json:
        return self._notice("group_decrease", user_id, group_id, sub_type, when)

    def _notice(
        self, notice_type: str, user_id: int, group_id: int, sub_type: str, when: int | None
    ) -> Json:
        operator = user_id if sub_type in {"approve", "leave"} else self.self_id
        return self._base("notice", when) | {
            "notice_type": notice_type,
            "sub_type": sub_type,
            "group_id": self._id(group_id),
            "user_id": self._id(user_id),
            "operator_id": self._id(operator),
        }

    def friend_request(self, user_id: int, comment: str) -> Json:
        return self._base("request", None) | {
            "request_type": "friend",
            "user_id": self._id(user_id),
            "comment": comment,
            "flag": f"flag-{user_id}",
        }

    def heartbeat(self, interval: int = 15000) -> Json:
        status = {"online": True, "good": True}
        return self._base("meta_event", None) | {
            "meta_event_type": "heartbeat",
            "status": status,
            "interval": interval,
        }

    def lifecycle(self, sub_type: str = "enable") -> Json:
        return self._base("meta_event", None) | {
            "meta_event_type": "lifecycle",
            "sub_type": sub_type,
        }

    # The wire.

    def headers(self, body: bytes) -> dict[str, str]:
        """Return the headers NapCat sends with body: lower-case, no Authorization."""
        return {
            "content-type": "application/json",
            "x-self-id": str(self.self_id),
            "x-signature": signature(self.secret, body),
        }

    def post(self, url: str, event: Json | bytes) -> PeerResponse:
        """POST one signed event to url (loopback only) and return what it answered."""
        body = event if isinstance(event, bytes) else encode(event)
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK:
            raise ValueError("the peer only posts to http:// on this machine")
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port or 80, timeout=POST_TIMEOUT_SECONDS
        )
        try:
            connection.request("POST", parts.path or "/", body=body, headers=self.headers(body))
            response = connection.getresponse()
            return PeerResponse(response.status, response.read())
        finally:
            connection.close()
