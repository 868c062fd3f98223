"""A local stand-in for the QQ bot OpenAPI and its token endpoint, answering as they do.

It serves `POST /app/getAppAccessToken` and the two message endpoints Beatdesk calls,
`/v2/users/{openid}/messages` and `/v2/groups/{group_openid}/messages`, and enforces
what the platform enforces on passive replies: a known `msg_id` in the same chat, 60
minutes (private) or 5 minutes (group), five replies, each `msg_id` + `msg_seq` once, and
no message without `msg_id`. Tests tell it which messages residents sent (`saw`), start
it in-process, and can script failures. It listens on 127.0.0.1 only and shares no code
with the product. The demo can run it as a process:

    python -m beatdesk.channels.qqbot.fake_api --port 8903 --app-id 102000001 --secret S
"""

import argparse
import collections
import hmac
import json
import logging
import re
import secrets
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from beatdesk.channels.fakes import Answer, LoopbackFake, serve_until_stopped

logger = logging.getLogger(__name__)

GRANT_PATH = "/app/getAppAccessToken"
MESSAGE_PATH = re.compile(r"/v2/(users|groups)/([A-Za-z0-9_-]{1,64})/messages")
WINDOWS = {"users": 3600, "groups": 300}
REPLIES_PER_MESSAGE = 5
TOKEN_SECONDS = 7200

BreakKind = Literal["http_500", "close", "lose_answer"]


@dataclass(frozen=True)
class SentMessage:
    """A message the fake accepted."""

    scene: str
    target: str
    content: str
    msg_id: str
    msg_seq: int
    message_id: str


@dataclass(frozen=True)
class RecordedCall:
    path: str
    body: dict[str, Any]
    authorization: str
    http_status: int
    code: int | None


class _Answer(Answer):
    @property
    def code(self) -> int | None:
        value = (self.payload or {}).get("code")
        return value if isinstance(value, int) else None


@dataclass(frozen=True)
class _Seen:
    scene: str
    target: str
    at: float


@dataclass
class _Fault:
    remaining: int
    status: int = 400
    code: int = 0
    kind: BreakKind | None = None


@dataclass
class _State:
    """Everything the fake remembers; only touched while holding FakeQQBotAPI._lock."""

    tokens: dict[str, float] = field(default_factory=dict)
    seen: dict[str, _Seen] = field(default_factory=dict)
    replies: dict[str, set[int]] = field(default_factory=dict)
    calls: list[RecordedCall] = field(default_factory=list)
    sent: list[SentMessage] = field(default_factory=list)
    faults: collections.deque[_Fault] = field(default_factory=collections.deque)
    tokens_issued: int = 0


def _refusal(status: int, code: int, message: str) -> _Answer:
    # The platform's error body: the code twice under two names, and a trace id.
    trace = secrets.token_hex(16)
    return _Answer(status, {"message": message, "code": code, "err_code": code, "trace_id": trace})


def _epoch(timestamp: object) -> float:
    if isinstance(timestamp, int):
        return float(timestamp)
    return datetime.fromisoformat(str(timestamp)).timestamp()


class FakeQQBotAPI(LoopbackFake):
    """A thread-safe fake of one bot's OpenAPI and token endpoint."""

    label = "fake QQ bot API"

    def __init__(self, app_id: str, secret: str, *, port: int = 0) -> None:
        self.app_id = app_id
        self.secret = secret
        super().__init__(port)
        self._lock = threading.Lock()
        self._state = _State()

    # What residents did, and scripted trouble.

    def saw(self, envelope: dict[str, Any], at: float | None = None) -> None:
        """Remember a message event the platform pushed, so replies to it are accepted."""
        data = envelope["d"]
        if envelope["t"] == "GROUP_AT_MESSAGE_CREATE":
            scene, target = "groups", str(data["group_openid"])
        else:
            scene, target = "users", str(data["author"]["user_openid"])
        moment = _epoch(data["timestamp"]) if at is None else at
        with self._lock:
            self._state.seen[str(data["id"])] = _Seen(scene, target, moment)

    def fail_next(self, code: int, status: int = 400, times: int = 1) -> None:
        """Refuse the next `times` message calls with this business code."""
        self._queue(_Fault(remaining=times, status=status, code=code))

    def break_next(self, kind: BreakKind = "http_500", times: int = 1) -> None:
        """Answer the next message calls with HTTP 500, or close the connection unanswered.

        `lose_answer` accepts the message and then closes the connection, as when the
        platform sent it but its answer never reached the caller.
        """
        self._queue(_Fault(remaining=times, kind=kind))

    def revoke_tokens(self) -> None:
        """Forget every token issued, as if they had all expired."""
        with self._lock:
            self._state.tokens.clear()

    def _queue(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("a scripted fault must apply to at least one call")
        with self._lock:
            self._state.faults.append(fault)

    # What happened.

    @property
    def sent(self) -> list[SentMessage]:
        with self._lock:
            return list(self._state.sent)

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._state.calls)

    @property
    def tokens_issued(self) -> int:
        with self._lock:
            return self._state.tokens_issued

    # Answering a request.

    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: dict[str, str]
    ) -> _Answer:
        """Serve one request and record it; the HTTP handler calls this from its thread."""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        with self._lock:
            if not isinstance(body, dict) or method != "POST":
                result = _refusal(400, 12002, "request invalid")
            elif path == GRANT_PATH:
                result = self._issue_token(body)
            else:
                result = self._message_call(path, body, headers.get("authorization", ""))
            self._state.calls.append(
                RecordedCall(
                    path, body or {}, headers.get("authorization", ""), result.status, result.code
                )
            )
        logger.debug("fake qqbot api path=%s status=%s", path, result.status)
        return result

    def _issue_token(self, body: dict[str, Any]) -> _Answer:
        app_id, secret = str(body.get("appId", "")), str(body.get("clientSecret", ""))
        if app_id != self.app_id or not hmac.compare_digest(secret.encode(), self.secret.encode()):
            return _Answer(200, {"code": 100016, "message": "invalid appid or secret"})
        token = secrets.token_urlsafe(24)
        self._state.tokens[token] = time.time() + TOKEN_SECONDS
        self._state.tokens_issued += 1
        # The documented example gives expires_in as a string.
        return _Answer(200, {"access_token": token, "expires_in": str(TOKEN_SECONDS)})

    def _token_valid(self, authorization: str) -> bool:
        scheme, _space, token = authorization.partition(" ")
        expires = self._state.tokens.get(token)
        return scheme == "QQBot" and expires is not None and expires > time.time()

    def _message_call(self, path: str, body: dict[str, Any], authorization: str) -> _Answer:
        match = MESSAGE_PATH.fullmatch(path)
        if match is None:
            return _Answer(404, {"message": "not found", "code": 404})
        if not self._token_valid(authorization):
            return _refusal(401, 11244, "token not exist or expire")
        fault = self._take_fault()
        if fault is None:
            return self._reply(match.group(1), match.group(2), body)
        if fault.kind == "lose_answer":
            self._reply(match.group(1), match.group(2), body)
            return _Answer(0, close=True)
        if fault.kind == "close":
            return _Answer(0, close=True)
        if fault.kind == "http_500":
            return _Answer(500, {"message": "internal error"})
        return _refusal(fault.status, fault.code, "scripted failure")

    def _take_fault(self) -> _Fault | None:
        if not self._state.faults:
            return None
        fault = self._state.faults[0]
        fault.remaining -= 1
        if fault.remaining == 0:
            self._state.faults.popleft()
        return fault

    def _reply(self, scene: str, target: str, body: dict[str, Any]) -> _Answer:
        content, msg_id, msg_seq = body.get("content"), body.get("msg_id"), body.get("msg_seq", 1)
        if body.get("msg_type") != 0 or not isinstance(content, str) or not content.strip():
            return _refusal(400, 50006, "消息为空")
        if not msg_id:
            return _refusal(400, 40034102, "主动消息失败, 无权限")
        seen = self._state.seen.get(str(msg_id))
        if seen is None or (seen.scene, seen.target) != (scene, target):
            return _refusal(400, 40034024, "请求参数msg_id无效或越权")
        if time.time() > seen.at + WINDOWS[scene]:
            return _refusal(400, 40034005, "回复消息msg_id已过期")
        used = self._state.replies.setdefault(str(msg_id), set())
        if not isinstance(msg_seq, int) or msg_seq in used:
            return _refusal(400, 40054005, "消息被去重，请检查请求msgseq")
        if len(used) >= REPLIES_PER_MESSAGE:
            return _refusal(400, 40034128, "被动回复时间或次数超限")
        used.add(msg_seq)
        message_id = f"ROBOT1.0_sent{len(self._state.sent) + 1}"
        sent = SentMessage(scene, target, content, str(msg_id), msg_seq, message_id)
        self._state.sent.append(sent)
        return _Answer(200, {"id": message_id, "timestamp": int(time.time())})


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a fake QQ bot OpenAPI on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8903, help="0 picks a free port")
    parser.add_argument("--app-id", required=True)
    parser.add_argument("--secret", required=True)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM, after printing the base URL on its own line."""
    args = _parse_args(argv)
    return serve_until_stopped(FakeQQBotAPI(args.app_id, args.secret, port=args.port))


if __name__ == "__main__":
    sys.exit(main())
