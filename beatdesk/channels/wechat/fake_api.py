"""A local stand-in for api.weixin.qq.com that speaks its exact JSON wire format.

It covers what Beatdesk calls: access tokens (ordinary and stable), customer-service
text messages with their 48-hour window and five-message quota, and template messages
(staff alerts), which need no window but a follower and a template the app owns. Tests
start it in-process; the demo runs it as a process:

    python -m beatdesk.channels.wechat.fake_api --port 8901 --app wxdemo:demo-secret

It listens on 127.0.0.1 only. Besides WeChat's paths it serves two of its own under
/_fake/ so that a demo running it as a separate process can still tell it that a user
wrote (POST /_fake/user_message {"openid": ...}) and read what was sent (GET /_fake/calls).

Template messages follow the public documentation of /cgi-bin/message/template/send: the
body holds touser, template_id, an optional client_msg_id and data ({"field": {"value":
...}}); success answers {"errcode":0,"errmsg":"ok","msgid":...}. A `thing` value over 20
characters, a `character_string` over 32 or outside printable ASCII, a `time` not of the
form 2024-01-01 12:00, or a template field left out is refused with 47003, the way WeChat
names the field in its errmsg. Not documented, so guessed here: a second send with the
same touser and client_msg_id within ten minutes is answered like the first, with the
same msgid, and not delivered again.
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
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from beatdesk.channels.fakes import (
    Answer,
    BreakKind,
    JsonHandler,
    LoopbackFake,
    serve_until_stopped,
)

logger = logging.getLogger(__name__)

# These are URL paths, not secrets, whatever their names suggest to the linter.
TOKEN_PATH = "/cgi-bin/token"  # noqa: S105
STABLE_TOKEN_PATH = "/cgi-bin/stable_token"  # noqa: S105
CUSTOM_SEND_PATH = "/cgi-bin/message/custom/send"
MENU_CREATE_PATH = "/cgi-bin/menu/create"
TEMPLATE_SEND_PATH = "/cgi-bin/message/template/send"
USER_MESSAGE_PATH = "/_fake/user_message"
CALLS_PATH = "/_fake/calls"
FOLLOW_PATH = "/_fake/follow"

TOKEN_LIFETIME_SECONDS = 7200
# The stable token is renewed in its last five minutes, and forced refreshes closer
# together than 30 seconds hand back the current token unchanged.
STABLE_RENEWAL_SECONDS = 300
FORCE_REFRESH_SPACING_SECONDS = 30
DEFAULT_GRACE_SECONDS = 300.0
WINDOW_SECONDS = 48 * 3600
WINDOW_QUOTA = 5
TEXT_LIMIT_BYTES = 2048
CLIENT_MSG_ID_SECONDS = 600
CLIENT_MSG_ID_LIMIT_BYTES = 64
# The longest template value per field type, in characters; `time` has its own form.
TEMPLATE_VALUE_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "number": 32}
TEMPLATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?")
PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]*")

CUSTOM_MSGTYPES = frozenset(
    {"text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "wxcard"}
    | {"miniprogrampage", "mpnewsarticle"}
)

# The wording WeChat uses; real answers append " rid: ..." for its own log lookup.
ERRMSGS: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40008: "invalid message type",
    40013: "invalid appid",
    40015: "invalid button type",
    40016: "invalid button size",
    40017: "invalid sub button size",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40037: "invalid template_id",
    40066: "invalid url",
    40125: "invalid appsecret",
    40164: "invalid ip, not in whitelist",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    42001: "access_token expired",
    43004: "require subscribe",
    43001: "require GET method",
    43002: "require POST method",
    44004: "empty content",
    45002: "content size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    45067: "clientmsgid size out of limit",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}

TokenSource = Literal["token", "stable"]


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received, and what it answered."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    raw_body: bytes
    headers: dict[str, str]
    status: int
    errcode: int | None


class _Answer(Answer):
    @property
    def errcode(self) -> int | None:
        if self.payload is None:
            return None
        return int(self.payload.get("errcode", 0))


@dataclass
class _Fault:
    remaining: int
    errcode: int = 0
    kind: BreakKind | None = None


@dataclass
class _Token:
    value: str
    app_id: str
    source: TokenSource
    issued_at: float
    expires_at: float
    revoked_at: float | None = None


@dataclass
class _Window:
    opened_at: float
    sent: int = 0


@dataclass(frozen=True)
class _Template:
    app_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class _TemplateSend:
    msgid: int
    at: float


@dataclass
class _State:
    """Everything the fake remembers; only touched while holding FakeWeChatAPI._lock."""

    tokens: dict[str, _Token] = field(default_factory=dict)
    latest: dict[tuple[str, TokenSource], _Token] = field(default_factory=dict)
    last_forced: dict[str, float] = field(default_factory=dict)
    windows: dict[str, _Window] = field(default_factory=dict)
    followers: set[str] = field(default_factory=set)
    templates: dict[str, _Template] = field(default_factory=dict)
    template_sends: dict[tuple[str, str], _TemplateSend] = field(default_factory=dict)
    delivered_templates: list[dict[str, Any]] = field(default_factory=list)
    next_msgid: int = 3599307433715204104
    faults: dict[str, collections.deque[_Fault]] = field(default_factory=dict)
    delays: dict[str, collections.deque[float]] = field(default_factory=dict)
    calls: list[RecordedCall] = field(default_factory=list)
    tokens_issued: int = 0
    # The menu each app has now, as the last successful menu/create gave it.
    menus: dict[str, dict[str, Any]] = field(default_factory=dict)


def _error(errcode: int, status: int = 200, hint: str = "") -> _Answer:
    """Answer with WeChat's error envelope, rid suffix included."""
    rid = "-".join(secrets.token_hex(4) for _ in range(3))
    message = " ".join(part for part in (ERRMSGS.get(errcode, "fake api error"), hint) if part)
    return _Answer(status, {"errcode": errcode, "errmsg": f"{message} rid: {rid}"})


def _ok() -> _Answer:
    return _Answer(200, {"errcode": 0, "errmsg": "ok"})


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class _Handler(JsonHandler):
    # WeChat labels its JSON this way, with "encoding" rather than "charset".
    content_type = "application/json; encoding=utf-8"

    def encode(self, payload: dict[str, Any]) -> bytes:
        return _encode(payload)


class FakeWeChatAPI(LoopbackFake):
    """A thread-safe fake of api.weixin.qq.com for any number of apps."""

    label = "fake WeChat API"
    handler = _Handler

    def __init__(
        self,
        apps: Mapping[str, str] | None = None,
        *,
        port: int = 0,
        token_grace_seconds: float = DEFAULT_GRACE_SECONDS,
    ) -> None:
        self._apps = dict(apps or {})
        super().__init__(port)
        self._grace = token_grace_seconds
        self._clock_offset = 0.0
        self._lock = threading.Lock()
        self._state = _State()

    # Setting the scene.

    def add_app(self, app_id: str, secret: str) -> None:
        """Accept credentials for one more app."""
        with self._lock:
            self._apps[app_id] = secret

    def now(self) -> float:
        """Return the fake's clock: real time, moved on by advance_clock."""
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the fake's clock forward, to expire tokens and windows without waiting."""
        with self._lock:
            self._clock_offset += seconds

    def set_token_grace(self, seconds: float) -> None:
        """Set how long a token keeps working after /cgi-bin/token issues its successor."""
        with self._lock:
            self._grace = seconds

    def expire_tokens(self) -> None:
        """Make every token issued so far expired, as if two hours had passed for them."""
        with self._lock:
            moment = self.now()
            for token in self._state.tokens.values():
                token.expires_at = min(token.expires_at, moment)

    def note_user_message(self, openid: str, at: float | None = None) -> None:
        """Record that openid wrote to the account, opening a fresh 48-hour window."""
        with self._lock:
            moment = at if at is not None else self.now()
            self._state.windows[openid] = _Window(opened_at=moment)

    def follow(self, openid: str, following: bool = True) -> None:
        """Make openid a follower of the account (or no longer one), for template messages."""
        with self._lock:
            if following:
                self._state.followers.add(openid)
            else:
                self._state.followers.discard(openid)

    def add_template(self, app_id: str, template_id: str, fields: Sequence[str]) -> None:
        """Give the app a template with these fields (such as thing1, character_string2)."""
        with self._lock:
            self._state.templates[template_id] = _Template(app_id, tuple(fields))

    # Scripted trouble.

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        """Answer the next `times` calls to path with errcode instead of serving them."""
        self._queue_fault(path, _Fault(remaining=times, errcode=errcode))

    def break_next(self, path: str, kind: BreakKind = "http_500", times: int = 1) -> None:
        """Answer the next calls to path with HTTP 500, or close the connection unanswered."""
        self._queue_fault(path, _Fault(remaining=times, kind=kind))

    def delay_next(self, path: str, seconds: float, times: int = 1) -> None:
        """Hold the next `times` answers to path for `seconds` before sending them."""
        with self._lock:
            queue = self._state.delays.setdefault(path, collections.deque())
            queue.extend([seconds] * times)

    def _queue_fault(self, path: str, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("a scripted fault must apply to at least one call")
        with self._lock:
            self._state.faults.setdefault(path, collections.deque()).append(fault)

    # What happened.

    @property
    def calls(self) -> list[RecordedCall]:
        """Return a snapshot of every call received, oldest first."""
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, path: str) -> list[RecordedCall]:
        """Return the calls received on one path."""
        return [call for call in self.calls if call.path == path]

    def count(self, path: str) -> int:
        """Return how many calls reached path, whatever they were answered."""
        return len(self.calls_to(path))

    @property
    def token_fetches(self) -> int:
        """Return how many calls reached either token endpoint."""
        return self.count(TOKEN_PATH) + self.count(STABLE_TOKEN_PATH)

    @property
    def tokens_issued(self) -> int:
        """Return how many new tokens were minted (a repeated stable token is not new)."""
        with self._lock:
            return self._state.tokens_issued

    def sent_texts(self, openid: str) -> list[str]:
        """Return the texts delivered to openid, that is, the sends answered errcode 0."""
        return [
            call.body["text"]["content"]
            for call in self.calls_to(CUSTOM_SEND_PATH)
            if call.errcode == 0
            and call.body.get("touser") == openid
            and call.body.get("msgtype") == "text"
        ]

    def sent_templates(self, openid: str) -> list[dict[str, Any]]:
        """Return the bodies of the template messages delivered to openid, oldest first.

        A repeat that WeChat answers without delivering (same client_msg_id) is not here.
        """
        with self._lock:
            delivered = list(self._state.delivered_templates)
        return [body for body in delivered if body.get("touser") == openid]

    # Answering a request.

    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: dict[str, str]
    ) -> _Answer:
        """Serve one request and record it; the HTTP handler calls this from its thread."""
        delay = self._take_delay(path)
        if delay:
            # Sleeping outside the lock keeps a slow answer from stalling every other one.
            time.sleep(delay)

        body = _parse_json(raw)
        with self._lock:
            result = self._take_fault(path) or self._route(method, path, query, body)
            if not path.startswith("/_fake/"):
                call = RecordedCall(
                    method, path, query, body, raw, headers, result.status, result.errcode
                )
                self._state.calls.append(call)
        logger.debug("fake wechat api path=%s status=%s errcode=%s", path, *_outcome(result))
        return result

    def _take_delay(self, path: str) -> float:
        with self._lock:
            queue = self._state.delays.get(path)
            return queue.popleft() if queue else 0.0

    def _take_fault(self, path: str) -> _Answer | None:
        queue = self._state.faults.get(path)
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
        return _error(fault.errcode)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> _Answer:
        if path == TOKEN_PATH:
            return self._token(query) if method == "GET" else _error(43001)
        if path == STABLE_TOKEN_PATH:
            return self._stable_token(body) if method == "POST" else _error(43002)
        if path == CUSTOM_SEND_PATH:
            return self._custom_send(query, body) if method == "POST" else _error(43002)
        if path == MENU_CREATE_PATH:
            return self._menu_create(query, body) if method == "POST" else _error(43002)
        if path == TEMPLATE_SEND_PATH:
            return self._template_send(query, body) if method == "POST" else _error(43002)
        if path == FOLLOW_PATH and method == "POST":
            return self._control_follow(body)
        if path == USER_MESSAGE_PATH and method == "POST":
            return self._control_user_message(body)
        if path == CALLS_PATH and method == "GET":
            return _Answer(200, {"errcode": 0, "calls": [_summary(c) for c in self._state.calls]})
        return _error(40066, status=404)

    # Tokens.

    def _token(self, query: dict[str, str]) -> _Answer:
        if query.get("grant_type") != "client_credential":
            return _error(40002)
        app_id = query.get("appid", "")
        refusal = self._check_credentials(app_id, query.get("secret", ""))
        if refusal:
            return _error(refusal)

        # Each fetch retires the previous token, which keeps working only for the grace.
        previous = self._state.latest.get((app_id, "token"))
        if previous is not None:
            previous.revoked_at = self.now() + self._grace
        token = self._mint(app_id, "token")
        return _Answer(200, {"access_token": token.value, "expires_in": TOKEN_LIFETIME_SECONDS})

    def _stable_token(self, body: Any) -> _Answer:
        if not isinstance(body, dict):
            return _error(47001)
        if body.get("grant_type") != "client_credential":
            return _error(40002)
        app_id = str(body.get("appid") or "")
        refusal = self._check_credentials(app_id, str(body.get("secret") or ""))
        if refusal:
            return _error(refusal)

        token = self._current_stable(app_id, force=body.get("force_refresh") is True)
        remaining = round(token.expires_at - self.now())
        return _Answer(200, {"access_token": token.value, "expires_in": remaining})

    def _current_stable(self, app_id: str, force: bool) -> _Token:
        moment = self.now()
        current = self._state.latest.get((app_id, "stable"))
        if force and not self._forced_recently(app_id, moment):
            self._state.last_forced[app_id] = moment
            if current is not None:
                current.revoked_at = moment
            return self._mint(app_id, "stable")

        if current is not None and current.expires_at - moment > STABLE_RENEWAL_SECONDS:
            return current
        # A renewal in the last minutes leaves the old token to run out naturally.
        return self._mint(app_id, "stable")

    def _forced_recently(self, app_id: str, moment: float) -> bool:
        last_forced = self._state.last_forced.get(app_id)
        return last_forced is not None and moment - last_forced < FORCE_REFRESH_SPACING_SECONDS

    def _check_credentials(self, app_id: str, secret: str) -> int | None:
        if not app_id:
            return 41002
        if not secret:
            return 41004
        expected = self._apps.get(app_id)
        if expected is None:
            return 40013
        if not hmac.compare_digest(expected.encode(), secret.encode()):
            return 40125
        return None

    def _mint(self, app_id: str, source: TokenSource) -> _Token:
        moment = self.now()
        # Real tokens run to well over a hundred characters; callers must store 512.
        value = secrets.token_urlsafe(102)
        token = _Token(value, app_id, source, moment, moment + TOKEN_LIFETIME_SECONDS)
        self._state.tokens[value] = token
        self._state.latest[(app_id, source)] = token
        self._state.tokens_issued += 1
        return token

    def _token_refusal(self, query: dict[str, str]) -> int | None:
        value = query.get("access_token")
        if not value:
            return 41001
        token = self._state.tokens.get(value)
        moment = self.now()
        if token is None or (token.revoked_at is not None and moment >= token.revoked_at):
            return 40001
        if moment >= token.expires_at:
            return 42001
        return None

    # Customer-service messages.

    def _custom_send(self, query: dict[str, str], body: Any) -> _Answer:
        refusal = self._token_refusal(query) or self._message_refusal(body)
        if refusal:
            return _error(refusal)
        refusal = self._spend_window(body["touser"])
        return _error(refusal) if refusal else _ok()

    def _message_refusal(self, body: Any) -> int | None:
        if not isinstance(body, dict):
            return 47001
        if not isinstance(body.get("touser"), str) or not body["touser"]:
            return 40003
        if body.get("msgtype") not in CUSTOM_MSGTYPES:
            return 40008
        if body["msgtype"] != "text":
            return None

        text = body.get("text")
        content = text.get("content") if isinstance(text, dict) else None
        if not isinstance(content, str):
            return 47001
        if not content:
            return 44004
        if len(content.encode("utf-8")) > TEXT_LIMIT_BYTES:
            return 45002
        return None

    def _spend_window(self, openid: str) -> int | None:
        window = self._state.windows.get(openid)
        if window is None or self.now() - window.opened_at >= WINDOW_SECONDS:
            return 45015
        if window.sent >= WINDOW_QUOTA:
            return 45047
        window.sent += 1
        return None

    # Custom menus, with the limits of /cgi-bin/menu/create (protocols.md 1.8).

    def menu_of(self, app_id: str) -> dict[str, Any] | None:
        """Return the menu the app has now, or None if it never created one."""
        with self._lock:
            return self._state.menus.get(app_id)

    def _menu_create(self, query: dict[str, str], body: Any) -> _Answer:
        refusal = self._token_refusal(query)
        if refusal:
            return _error(refusal)
        if not isinstance(body, dict) or not isinstance(body.get("button"), list):
            return _error(47001)
        refusal = _menu_refusal(body["button"])
        if refusal:
            return _error(refusal)
        token = self._state.tokens[query["access_token"]]
        self._state.menus[token.app_id] = body
        return _ok()

    # Template messages.

    def _template_send(self, query: dict[str, str], body: Any) -> _Answer:
        refusal = self._token_refusal(query)
        if refusal:
            return _error(refusal)
        app_id = self._state.tokens[query["access_token"]].app_id
        answer = self._template_refusal(app_id, body)
        if answer is not None:
            return answer
        return self._deliver_template(body)

    def _template_refusal(self, app_id: str, body: Any) -> _Answer | None:
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            return _error(47001)
        touser = body.get("touser")
        if not isinstance(touser, str) or not touser:
            return _error(40003)
        template = self._state.templates.get(str(body.get("template_id") or ""))
        if template is None or template.app_id != app_id:
            return _error(40037)
        client_msg_id = str(body.get("client_msg_id") or "")
        if len(client_msg_id.encode("utf-8")) > CLIENT_MSG_ID_LIMIT_BYTES:
            return _error(45067)
        for name in template.fields:
            if not _template_value_fits(name, body["data"].get(name)):
                return _error(47003, hint=f"data.{name}.value invalid")
        if touser not in self._state.followers:
            return _error(43004)
        return None

    def _deliver_template(self, body: dict[str, Any]) -> _Answer:
        key = (body["touser"], str(body.get("client_msg_id") or ""))
        earlier = self._state.template_sends.get(key)
        moment = self.now()
        if key[1] and earlier is not None and moment - earlier.at < CLIENT_MSG_ID_SECONDS:
            return _Answer(200, {"errcode": 0, "errmsg": "ok", "msgid": earlier.msgid})
        self._state.next_msgid += 1
        msgid = self._state.next_msgid
        if key[1]:
            self._state.template_sends[key] = _TemplateSend(msgid, moment)
        self._state.delivered_templates.append(body)
        return _Answer(200, {"errcode": 0, "errmsg": "ok", "msgid": msgid})

    def _control_follow(self, body: Any) -> _Answer:
        if not isinstance(body, dict) or not isinstance(body.get("openid"), str):
            return _error(47001)
        if body.get("following", True) is False:
            self._state.followers.discard(body["openid"])
        else:
            self._state.followers.add(body["openid"])
        return _ok()

    def _control_user_message(self, body: Any) -> _Answer:
        if not isinstance(body, dict) or not isinstance(body.get("openid"), str):
            return _error(47001)
        at = body.get("at")
        moment = float(at) if isinstance(at, int | float) else self.now()
        self._state.windows[body["openid"]] = _Window(opened_at=moment)
        return _ok()


MENU_BUTTON_TYPES = {
    "click",
    "view",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "media_id",
    "view_limited",
    "miniprogram",
}
# (name bytes, key bytes, url bytes) for top-level and sub buttons; sub names held at the
# older documentation's 40 bytes, as the stricter of the two the fake can be.
TOP_LIMITS = (16, 128, 1024)
SUB_LIMITS = (40, 128, 1024)
TOP_CODES = {"count": 40016, "type": 40015, "name": 40018, "key": 40019, "url": 40020}
SUB_CODES = {"count": 40017, "type": 40024, "name": 40025, "key": 40026, "url": 40020}


def _menu_refusal(buttons: list[Any]) -> int | None:
    if not 1 <= len(buttons) <= 3:
        return TOP_CODES["count"]
    for button in buttons:
        if not isinstance(button, dict):
            return 47001
        subs = button.get("sub_button")
        if subs is not None:
            # A button with sub-buttons is only a name; its children carry the actions.
            refusal = _name_refusal(button, TOP_LIMITS, TOP_CODES)
            if refusal:
                return refusal
            if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
                return SUB_CODES["count"]
            for sub in subs:
                refusal = _button_refusal(sub, SUB_LIMITS, SUB_CODES)
                if refusal:
                    return refusal
            continue
        refusal = _button_refusal(button, TOP_LIMITS, TOP_CODES)
        if refusal:
            return refusal
    return None


def _name_refusal(
    button: dict[str, Any], limits: tuple[int, int, int], codes: dict[str, int]
) -> int | None:
    name = button.get("name")
    if not isinstance(name, str) or not name or len(name.encode("utf-8")) > limits[0]:
        return codes["name"]
    return None


def _button_refusal(
    button: Any, limits: tuple[int, int, int], codes: dict[str, int]
) -> int | None:
    if not isinstance(button, dict):
        return 47001
    refusal = _name_refusal(button, limits, codes)
    if refusal:
        return refusal
    kind = button.get("type")
    if kind not in MENU_BUTTON_TYPES:
        return codes["type"]
    if kind == "view":
        url = button.get("url")
        if not isinstance(url, str) or not url or len(url.encode("utf-8")) > limits[2]:
            return codes["url"]
    elif kind not in {"media_id", "view_limited", "miniprogram"}:
        key = button.get("key")
        if not isinstance(key, str) or not key or len(key.encode("utf-8")) > limits[1]:
            return codes["key"]
    return None


def _template_value_fits(name: str, entry: Any) -> bool:
    """Say whether a template field's value is one WeChat would accept for its type."""
    if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
        return False
    value = entry["value"]
    kind = name.rstrip("0123456789")
    if not value:
        return False
    if kind == "time":
        return TEMPLATE_TIME.fullmatch(value) is not None
    if kind == "character_string" and not PRINTABLE_ASCII.fullmatch(value):
        return False
    limit = TEMPLATE_VALUE_LIMITS.get(kind)
    return limit is None or len(value) <= limit


def _outcome(result: _Answer) -> tuple[int, int | None]:
    return result.status, result.errcode


def _summary(call: RecordedCall) -> dict[str, Any]:
    summary = asdict(call)
    del summary["raw_body"]
    return summary


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Running as a process.


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a fake api.weixin.qq.com on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8901, help="0 picks a free port")
    parser.add_argument("--app-id", help="one app id, paired with --secret")
    parser.add_argument("--secret", help="the secret of --app-id")
    parser.add_argument(
        "--app", action="append", default=[], metavar="APPID:SECRET", help="repeatable"
    )
    parser.add_argument("--apps-file", type=Path, help="a JSON object mapping app id to secret")
    parser.add_argument("--grace", type=float, default=DEFAULT_GRACE_SECONDS)
    return parser.parse_args(argv)


def _apps_from(args: argparse.Namespace) -> dict[str, str]:
    apps: dict[str, str] = {}
    if args.apps_file is not None:
        apps.update(json.loads(args.apps_file.read_text(encoding="utf-8")))
    for pair in args.app:
        app_id, separator, secret = pair.partition(":")
        if not separator:
            raise SystemExit(f"--app takes APPID:SECRET, not {pair!r}")
        apps[app_id] = secret
    if args.app_id or args.secret:
        if not (args.app_id and args.secret):
            raise SystemExit("--app-id and --secret go together")
        apps[args.app_id] = args.secret
    return apps


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM, after printing the base URL on its own line."""
    args = _parse_args(argv)
    apps = _apps_from(args)
    if not apps:
        raise SystemExit("give at least one app: --app APPID:SECRET or --apps-file")
    return serve_until_stopped(FakeWeChatAPI(apps, port=args.port, token_grace_seconds=args.grace))


if __name__ == "__main__":
    sys.exit(main())
