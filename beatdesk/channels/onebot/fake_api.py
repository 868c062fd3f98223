"""A local stand-in for a OneBot v11 HTTP API, answering the way NapCat does.

It serves what Beatdesk calls (`send_group_msg`, `send_private_msg`, `get_login_info`, and
NapCat's `get_group_msg_history` and `get_friend_msg_history`),
checks the access token, records every call, and can be told to fail: with a retcode
inside an HTTP 200 (NapCat's way), with HTTP 500, or by closing the connection. Tests
start it in-process; the demo can run it as a process:

    python -m beatdesk.channels.onebot.fake_api --port 8902 --access-token demo-token

It listens on 127.0.0.1 only. It reads messages the way an implementation would,
including CQ codes in strings, so a test can see that a literal `[CQ:at,qq=all]` in an
answer would have mentioned everyone had it been sent as a string. It shares no code with
the product, so a parsing defect there shows up as a disagreement here.
"""

import argparse
import collections
import hmac
import json
import logging
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

from beatdesk.channels.fakes import Answer, BreakKind, LoopbackFake, serve_until_stopped

logger = logging.getLogger(__name__)

CALLS_PATH = "/_fake/calls"
SEND_ACTIONS = {"send_group_msg": "group", "send_private_msg": "private"}
HISTORY_ACTIONS = {"get_group_msg_history": "group", "get_friend_msg_history": "private"}
DIGITS = re.compile(r"[0-9]{1,24}")
CQ = re.compile(r"\[CQ:([^,\[\]]+)((?:,[^,\[\]]*)*)\]")

AuthStyle = Literal["napcat", "spec"]


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received, and what it answered."""

    action: str
    params: dict[str, Any]
    headers: dict[str, str]
    http_status: int
    retcode: int | None


@dataclass(frozen=True)
class SentMessage:
    """A message the fake accepted, as segments and rendered back into a CQ string."""

    message_type: str
    target_id: str
    segments: list[dict[str, Any]]
    rendered: str
    message_id: int

    @property
    def mentions_all(self) -> bool:
        return any(
            segment["type"] == "at" and str(segment["data"].get("qq")) == "all"
            for segment in self.segments
        )

    @property
    def text(self) -> str:
        return "".join(
            str(segment["data"].get("text", ""))
            for segment in self.segments
            if segment["type"] == "text"
        )


class _Answer(Answer):
    @property
    def retcode(self) -> int | None:
        if self.payload is None or "retcode" not in self.payload:
            return None
        return int(self.payload["retcode"])


@dataclass
class _Fault:
    remaining: int
    retcode: int = 0
    kind: BreakKind | None = None


@dataclass
class _State:
    """Everything the fake remembers; only touched while holding FakeOneBotAPI._lock."""

    calls: list[RecordedCall] = field(default_factory=list)
    sent: list[SentMessage] = field(default_factory=list)
    faults: dict[str, collections.deque[_Fault]] = field(default_factory=dict)
    next_message_id: int = 1000
    # Each chat's messages as the bot's client saw them, oldest first, keyed by chat.
    history: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


def _envelope(status: str, retcode: int, data: Any = None, message: str = "") -> _Answer:
    # NapCat's envelope: the spec's three fields plus message, wording and echo.
    payload = {
        "status": status,
        "retcode": retcode,
        "data": data,
        "message": message,
        "wording": message,
        "echo": None,
    }
    return _Answer(200, payload)


def _ok(data: Any) -> _Answer:
    return _envelope("ok", 0, data)


def _failed(retcode: int, message: str) -> _Answer:
    return _envelope("failed", retcode, None, message)


# Messages as an implementation reads them.


def _unescape(text: str) -> str:
    return (
        text.replace("&#44;", ",")
        .replace("&#91;", "[")
        .replace("&#93;", "]")
        .replace("&amp;", "&")
    )


def _escape(text: str, in_value: bool = False) -> str:
    escaped = text.replace("&", "&amp;").replace("[", "&#91;").replace("]", "&#93;")
    return escaped.replace(",", "&#44;") if in_value else escaped


def _segments_of_string(message: str) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = []
    position = 0
    for match in CQ.finditer(message):
        if match.start() > position:
            text = _unescape(message[position : match.start()])
            segments.append({"type": "text", "data": {"text": text}})
        pairs = [pair.partition("=") for pair in match.group(2).split(",")[1:]]
        data = {key: _unescape(value) for key, _sep, value in pairs}
        segments.append({"type": match.group(1), "data": data})
        position = match.end()
    if position < len(message):
        segments.append({"type": "text", "data": {"text": _unescape(message[position:])}})
    return segments


def read_message(message: Any, auto_escape: bool) -> list[dict[str, Any]] | None:
    """Return the message as segments, as an implementation reads it; None if unreadable."""
    if isinstance(message, str):
        if auto_escape:
            return [{"type": "text", "data": {"text": message}}]
        return _segments_of_string(message)
    items = [message] if isinstance(message, dict) else message
    if not isinstance(items, list):
        return None
    valid = all(
        isinstance(item, dict)
        and isinstance(item.get("type"), str)
        and isinstance(item.get("data", {}), dict)
        for item in items
    )
    return (
        [{"type": i["type"], "data": dict(i.get("data") or {})} for i in items] if valid else None
    )


def render_cq(segments: list[dict[str, Any]]) -> str:
    """Render segments as the CQ string an implementation would show in raw_message."""
    parts = []
    for segment in segments:
        if segment["type"] == "text":
            parts.append(_escape(str(segment["data"].get("text", ""))))
            continue
        params = "".join(
            f",{key}={_escape(str(value), in_value=True)}"
            for key, value in segment["data"].items()
        )
        parts.append(f"[CQ:{segment['type']}{params}]")
    return "".join(parts)


def _as_bool(value: Any) -> bool:
    return value is True or str(value).lower() in {"true", "1", "yes"}


class FakeOneBotAPI(LoopbackFake):
    """A thread-safe fake of one bot's OneBot v11 HTTP API."""

    label = "fake OneBot API"

    def __init__(
        self,
        access_token: str,
        self_id: str = "30001",
        nickname: str = "城南派出所",
        *,
        port: int = 0,
        auth_style: AuthStyle = "napcat",
    ) -> None:
        self.access_token = access_token
        self.self_id = self_id
        self.nickname = nickname
        super().__init__(port)
        self._auth_style = auth_style
        self._lock = threading.Lock()
        self._state = _State()

    # Scripted trouble.

    def fail_next(self, action: str, retcode: int = 200, times: int = 1) -> None:
        """Answer the next `times` calls with HTTP 200, status "failed" and this retcode."""
        self._queue_fault(action, _Fault(remaining=times, retcode=retcode))

    def break_next(self, action: str, kind: BreakKind = "http_500", times: int = 1) -> None:
        """Answer the next calls with HTTP 500, or close the connection unanswered."""
        self._queue_fault(action, _Fault(remaining=times, kind=kind))

    def _queue_fault(self, action: str, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("a scripted fault must apply to at least one call")
        with self._lock:
            self._state.faults.setdefault(action, collections.deque()).append(fault)

    # What happened.

    @property
    def calls(self) -> list[RecordedCall]:
        """Return a snapshot of every call received, oldest first."""
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, action: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.action == action]

    @property
    def sent(self) -> list[SentMessage]:
        """Return the messages accepted (answered "ok"), oldest first."""
        with self._lock:
            return list(self._state.sent)

    def forget_traffic(self) -> None:
        """Forget every call and message so far, so a test sees only what follows."""
        with self._lock:
            self._state.calls.clear()
            self._state.sent.clear()

    # The chats' history, which NapCat keeps and serves (get_group_msg_history and
    # get_friend_msg_history): a test puts there what residents wrote, posted to us or not.

    def remember(self, event: dict[str, Any]) -> None:
        """Add a message event to its chat's history, as the bot's client received it."""
        group = str(event.get("group_id") or "")
        chat = ("group", group) if group else ("private", str(event.get("user_id", "")))
        with self._lock:
            self._state.history.setdefault(chat, []).append(dict(event))

    def _history(self, kind: str, params: dict[str, Any]) -> _Answer:
        id_field = "group_id" if kind == "group" else "user_id"
        chat_id = str(params.get(id_field, "")).strip()
        if not DIGITS.fullmatch(chat_id):
            return _failed(400, f"{id_field} is required")
        messages = self._state.history.get((kind, chat_id), [])
        # From message_seq back (inclusive), the newest `count` of them, oldest first.
        seq = str(params.get("message_seq") or "")
        if seq.isdigit() and int(seq) > 0:
            messages = [m for m in messages if int(m.get("message_seq", 0)) <= int(seq)]
        raw_count = str(params.get("count") or 20)
        count = int(raw_count) if raw_count.isdigit() else 20
        page = messages[-count:] if count > 0 else []
        if _as_bool(params.get("reverseOrder")):
            page = list(reversed(page))
        return _ok({"messages": page})

    # Answering a request.

    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: dict[str, str]
    ) -> _Answer:
        """Serve one request and record it; the HTTP handler calls this from its thread."""
        action = path.strip("/")
        with self._lock:
            if path == CALLS_PATH:
                return _Answer(200, {"calls": [self._summary(c) for c in self._state.calls]})
            params, result = self._read_params(query, raw, headers)
            result = result or self._refuse_token(query, headers) or self._take_fault(action)
            result = result or self._route(action, params)
            call = RecordedCall(action, params, headers, result.status, result.retcode)
            self._state.calls.append(call)
        logger.debug("fake onebot api action=%s status=%s", action, result.status)
        return result

    def _read_params(
        self, query: dict[str, str], raw: bytes, headers: dict[str, str]
    ) -> tuple[dict[str, Any], _Answer | None]:
        params: dict[str, Any] = {k: v for k, v in query.items() if k != "access_token"}
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if not raw:
            return params, None
        if content_type == "application/json":
            try:
                body = json.loads(raw)
            except ValueError:
                return params, _Answer(400, None)
            if not isinstance(body, dict):
                return params, _Answer(400, None)
            return params | body, None
        if content_type == "application/x-www-form-urlencoded":
            return params | dict(parse_qsl(raw.decode("utf-8", "replace"))), None
        return params, _Answer(406, None)

    def _refuse_token(self, query: dict[str, str], headers: dict[str, str]) -> _Answer | None:
        scheme, _space, bearer = headers.get("authorization", "").partition(" ")
        given = bearer if scheme.lower() == "bearer" else query.get("access_token", "")
        if given and hmac.compare_digest(given.encode(), self.access_token.encode()):
            return None
        # The spec tells a missing token (401) from a wrong one (403); NapCat answers 403.
        status = 401 if self._auth_style == "spec" and not given else 403
        return _Answer(status, {"message": "token verify failed!"})

    def _take_fault(self, action: str) -> _Answer | None:
        queue = self._state.faults.get(action)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining == 0:
            queue.popleft()
        if fault.kind == "close":
            return _Answer(0, close=True)
        if fault.kind == "http_500":
            return _Answer(500, None)
        return _failed(fault.retcode, "scripted failure")

    def _route(self, action: str, params: dict[str, Any]) -> _Answer:
        if action in SEND_ACTIONS:
            return self._send(SEND_ACTIONS[action], params)
        if action == "get_login_info":
            return _ok({"user_id": int(self.self_id), "nickname": self.nickname})
        if action in HISTORY_ACTIONS:
            return self._history(HISTORY_ACTIONS[action], params)
        if self._auth_style == "spec":
            return _Answer(404, None)
        # NapCat answers an unknown action with HTTP 200 and a failure inside.
        return _failed(200, f"不支持的Api {action[:40]}")

    def _send(self, message_type: str, params: dict[str, Any]) -> _Answer:
        id_field = "group_id" if message_type == "group" else "user_id"
        target = str(params.get(id_field, "")).strip()
        if not DIGITS.fullmatch(target):
            return _failed(400, f"{id_field} is required")
        segments = read_message(params.get("message"), _as_bool(params.get("auto_escape")))
        if not segments:
            return _failed(400, "message is empty or unreadable")

        self._state.next_message_id += 1
        message_id = self._state.next_message_id
        rendered = render_cq(segments)
        self._state.sent.append(SentMessage(message_type, target, segments, rendered, message_id))
        return _ok({"message_id": message_id})

    @staticmethod
    def _summary(call: RecordedCall) -> dict[str, Any]:
        return {"action": call.action, "params": call.params, "http_status": call.http_status}


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a fake OneBot v11 HTTP API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8902, help="0 picks a free port")
    parser.add_argument("--access-token", required=True)
    parser.add_argument("--self-id", default="30001", help="the bot's QQ number")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM, after printing the base URL on its own line."""
    args = _parse_args(argv)
    return serve_until_stopped(FakeOneBotAPI(args.access_token, args.self_id, port=args.port))


if __name__ == "__main__":
    sys.exit(main())
