"""A local stand-in for api.weibo.com (and m.api.weibo.com) speaking its JSON wire format.

It covers what Beatdesk calls: the OAuth2 code exchange, the three polled lists with
Weibo's cursor rules (`since_id` strictly above, `max_id` at or below, newest first),
`comments/reply` and `comments/create` with their length rule and required ids, the
fan-service `messages/reply` with its 48-hour window and one reply to a mention, and
`statuses/share` with its rules: a `status` of at most 140 characters, no `#topic#`, a link
on the app's bound security domain (10017), the end user's `rip`, and not the same text
as the last post (20019). The older write calls (`statuses/update`, `upload`, `repost`,
`destroy`) answer 10014, as they have since 2017, and so does `share` for an app that
lacks the permission. Ids pass
2^53 and come as a number and as `idstr`, as the real API writes them. Errors come in
Weibo's envelope `{"request", "error_code", "error"}`. Tests start it in-process; the demo
can run it as a process:

    python -m beatdesk.channels.weibo.fake_api --port 8903 --app demo-key:demo-secret

It listens on 127.0.0.1 only and shares no code with the product, so a defect in our
client shows up as a disagreement here.
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
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, unquote

from beatdesk.channels.fakes import Answer, BreakKind, LoopbackFake, serve_until_stopped

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth2/access_token"  # noqa: S105 - a URL path, not a secret
LIST_PATHS = {
    "/2/comments/to_me.json": ("to_me", "comments", 50),
    "/2/comments/mentions.json": ("comment_mentions", "comments", 50),
    "/2/statuses/mentions.json": ("status_mentions", "statuses", 20),
}
REPLY_PATH = "/2/comments/reply.json"
CREATE_PATH = "/2/comments/create.json"
MESSAGE_REPLY_PATH = "/2/messages/reply.json"
SHARE_PATH = "/2/statuses/share.json"
RETIRED_WRITE_PATHS = {
    "/2/statuses/update.json",
    "/2/statuses/upload.json",
    "/2/statuses/repost.json",
    "/2/statuses/destroy.json",
}
DEFAULT_REDIRECT_URI = "https://api.weibo.com/oauth2/default.html"
# Ids start past 2^53, where a reader that turns numbers into doubles loses digits.
FIRST_ID = 2**53 + 1_000_001
TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600
COMMENT_LIMIT = 140
SHARE_LIMIT = 140
TOPIC_MARK = re.compile(r"#[^#\r\n]+#")
LINK_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)")
PRIVATE_LIMIT = 300
PRIVATE_WINDOW_SECONDS = 48 * 3600
BEIJING = timezone(timedelta(hours=8))

ERRORS: dict[int, tuple[int, str]] = {
    10001: (500, "system error!"),
    10014: (403, "Insufficient app permissions!"),
    10016: (400, "miss required parameter"),
    10017: (400, "parameter's value invalid"),
    10022: (403, "IP requests out of rate limit!"),
    10023: (403, "User requests out of rate limit!"),
    10024: (403, "User requests for comments out of rate limit!"),
    20012: (400, "Text too long, please input text less than 140 characters!"),
    20013: (400, "Text too long, please input text less than 300 characters!"),
    20101: (400, "target weibo does not exist!"),
    20201: (400, "target weibo comment does not exist!"),
    20019: (400, "Repeat conetnt!"),
    20301: (400, "can't send direct message to this user!"),
    21301: (403, "auth faild!"),
    21325: (400, "invalid_grant"),
    21327: (403, "expired_token"),
    21332: (403, "invalid_access_token"),
}


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received: path, parameters without the token, its status."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    http_status: int
    error_code: int | None


@dataclass(frozen=True)
class PostedComment:
    """A comment Beatdesk wrote: under a post, possibly replying to a comment."""

    comment_id: str
    status_id: str
    reply_to: str
    text: str
    rip: str


@dataclass(frozen=True)
class SharedPost:
    """A post Beatdesk published through statuses/share."""

    status_id: str
    text: str
    rip: str


@dataclass(frozen=True)
class PrivateReply:
    receiver_id: str
    text: str


@dataclass
class _Fault:
    remaining: int
    after: int = 0
    error_code: int = 0
    kind: BreakKind | None = None


@dataclass
class _Token:
    uid: str
    expires_at: float
    revoked: bool = False


@dataclass
class _State:
    """Everything the fake remembers; only touched while holding FakeWeiboAPI._lock."""

    next_id: int = FIRST_ID
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    tokens: dict[str, _Token] = field(default_factory=dict)
    items: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {"to_me": {}, "comment_mentions": {}, "status_mentions": {}}
    )
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    posted: list[PostedComment] = field(default_factory=list)
    shared: list[SharedPost] = field(default_factory=list)
    private: list[PrivateReply] = field(default_factory=list)
    wrote_at: dict[str, float] = field(default_factory=dict)
    mention_replies_left: dict[str, int] = field(default_factory=dict)
    calls: list[RecordedCall] = field(default_factory=list)
    faults: dict[str, collections.deque[_Fault]] = field(default_factory=dict)


def weibo_length(text: str) -> int:
    """Count as Weibo does: Latin-1 is half, the rest of the BMP one, beyond it two."""
    narrow = sum(1 for character in text if ord(character) < 0x100)
    astral = sum(1 for character in text if ord(character) > 0xFFFF)
    return len(text) - narrow + astral + (narrow + 1) // 2


def _created_at(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=BEIJING).strftime("%a %b %d %H:%M:%S +0800 %Y")


def _error(path: str, code: int) -> Answer:
    status, text = ERRORS.get(code, (400, "error"))
    return Answer(status, {"request": path, "error_code": code, "error": text})


def _user(uid: str, name: str) -> dict[str, Any]:
    return {
        "id": int(uid),
        "idstr": uid,
        "screen_name": name,
        "name": name,
        "province": "11",
        "location": "北京",
        "verified": False,
    }


class FakeWeiboAPI(LoopbackFake):
    """A thread-safe fake of one Weibo app and the one account that authorised it."""

    label = "fake Weibo API"

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        account_uid: str = "5000000001",
        *,
        fans_service_token: str = "",
        port: int = 0,
        token_lifetime: int = TOKEN_LIFETIME_SECONDS,
        bound_domain: str = "",
    ) -> None:
        super().__init__(port)
        # The security domain bound to the app on open.weibo.com; shares must link to it.
        self.bound_domain = bound_domain
        self.share_permitted = True
        self.app_key, self.app_secret = app_key, app_secret
        self.account_uid = account_uid
        self.fans_service_token = fans_service_token
        self.token_lifetime = token_lifetime
        self._lock = threading.Lock()
        self._state = _State()

    # Setting the scene.

    def issue_code(self, redirect_uri: str = DEFAULT_REDIRECT_URI) -> str:
        """Return the code Weibo would show after the account's owner allowed the app."""
        code = secrets.token_hex(16)
        with self._lock:
            self._state.codes[code] = (self.account_uid, redirect_uri)
        return code

    def grant_token(self) -> str:
        """Hand out a token directly, as if a code had been exchanged earlier."""
        token = "2.00" + secrets.token_hex(14)
        with self._lock:
            self._state.tokens[token] = _Token(self.account_uid, time.time() + self.token_lifetime)
        return token

    def expire_tokens(self) -> None:
        with self._lock:
            for token in self._state.tokens.values():
                token.expires_at = time.time() - 1

    def deny_share(self) -> None:
        """Take the share permission from the app, as Weibo does for unaudited apps."""
        with self._lock:
            self.share_permitted = False

    def revoke_tokens(self) -> None:
        with self._lock:
            for token in self._state.tokens.values():
                token.revoked = True

    def _new_id(self) -> str:
        self._state.next_id += 1
        return str(self._state.next_id)

    def add_post(self, text: str = "【警情通报】城南路交通事故处置情况") -> str:
        """Publish a post of the account's own, for residents to comment under."""
        with self._lock:
            return str(self._add_status(self.account_uid, "城南派出所", text)["idstr"])

    def _add_status(self, uid: str, name: str, text: str) -> dict[str, Any]:
        status_id = self._new_id()
        status = {
            "created_at": _created_at(time.time()),
            "id": int(status_id),
            "idstr": status_id,
            "mid": status_id,
            "text": text,
            "source": '<a href="https://weibo.com/" rel="nofollow">微博 weibo.com</a>',
            "user": _user(uid, name),
            "reposts_count": 0,
            "comments_count": 0,
        }
        self._state.statuses[status_id] = status
        return status

    def add_comment(
        self,
        status_id: str,
        uid: str,
        text: str,
        *,
        name: str = "城南居民",
        mentions_account: bool = False,
    ) -> str:
        """A resident comments under one of the account's posts; it lands in to_me."""
        with self._lock:
            comment = self._add_comment(status_id, uid, name, text, "")
            self._state.items["to_me"][comment["idstr"]] = comment
            if mentions_account:
                self._state.items["comment_mentions"][comment["idstr"]] = comment
            return str(comment["idstr"])

    def _add_comment(
        self, status_id: str, uid: str, name: str, text: str, reply_to: str
    ) -> dict[str, Any]:
        comment_id = self._new_id()
        comment: dict[str, Any] = {
            "created_at": _created_at(time.time()),
            "id": int(comment_id),
            "idstr": comment_id,
            "mid": comment_id,
            "text": text,
            "source": '<a href="https://weibo.com/" rel="nofollow">微博 weibo.com</a>',
            "user": _user(uid, name),
            "status": self._state.statuses[status_id],
            "floor_number": len(self._state.comments) + 1,
        }
        if reply_to:
            earlier = self._state.comments[reply_to]
            comment["reply_comment"] = {k: earlier[k] for k in ("id", "idstr", "text", "user")}
        self._state.comments[comment_id] = comment
        return comment

    def add_mention_post(self, uid: str, text: str, *, name: str = "城南居民") -> str:
        """A resident posts something that @-mentions the account."""
        with self._lock:
            status = self._add_status(uid, name, text)
            self._state.items["status_mentions"][status["idstr"]] = status
            return str(status["idstr"])

    def add_raw(self, stream: str, entry: Any, item_id: str = "") -> str:
        """Put any entry, however malformed, into a list (under an id that orders it)."""
        with self._lock:
            key = item_id or self._new_id()
            self._state.items[stream][key] = entry
            return key

    def user_wrote(self, uid: str) -> None:
        """A resident wrote privately: the account may answer for 48 hours."""
        with self._lock:
            self._state.wrote_at[uid] = time.time()

    def user_mentioned(self, uid: str) -> None:
        """A resident @-mentioned the account: it may answer privately once."""
        with self._lock:
            self._state.mention_replies_left[uid] = 1

    # Scripted trouble.

    def fail_next(
        self,
        path: str,
        *,
        error_code: int = 0,
        kind: BreakKind | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Fail calls to path: let `after` through, then fail `times` with the code or kind."""
        if times < 1 or not (error_code or kind):
            raise ValueError("a scripted fault needs a code or kind and at least one call")
        fault = _Fault(times, after, error_code, kind)
        with self._lock:
            self._state.faults.setdefault(path, collections.deque()).append(fault)

    # What happened.

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, path: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.path == path]

    @property
    def posted(self) -> list[PostedComment]:
        with self._lock:
            return list(self._state.posted)

    @property
    def shared(self) -> list[SharedPost]:
        with self._lock:
            return list(self._state.shared)

    @property
    def private_replies(self) -> list[PrivateReply]:
        with self._lock:
            return list(self._state.private)

    def forget_traffic(self) -> None:
        """Forget every call and reply so far, so a test sees only what follows."""
        with self._lock:
            self._state.calls.clear()
            self._state.posted.clear()
            self._state.shared.clear()
            self._state.private.clear()

    # Answering.

    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: dict[str, str]
    ) -> Answer:
        """Serve one request and record it; the HTTP handler calls this from its thread."""
        params = dict(query)
        if raw:
            params |= dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        with self._lock:
            result = self._take_fault(path) or self._route(method, path, params, headers)
            code = None if result.payload is None else result.payload.get("error_code")
            shown = {k: v for k, v in params.items() if k not in {"access_token", "client_secret"}}
            call = RecordedCall(method, path, shown, headers, result.status, code)
            self._state.calls.append(call)
        logger.debug("fake weibo api path=%s status=%s", path, result.status)
        return result

    def _take_fault(self, path: str) -> Answer | None:
        queue = self._state.faults.get(path)
        if not queue:
            return None
        fault = queue[0]
        if fault.after > 0:
            fault.after -= 1
            return None
        fault.remaining -= 1
        if fault.remaining == 0:
            queue.popleft()
        if fault.kind == "close":
            return Answer(0, close=True)
        if fault.kind == "http_500":
            return Answer(500, None)
        return _error(path, fault.error_code)

    def _route(
        self, method: str, path: str, params: dict[str, str], headers: dict[str, str]
    ) -> Answer:
        if path == TOKEN_PATH and method == "POST":
            return self._exchange(params)
        if path == MESSAGE_REPLY_PATH and method == "POST":
            return self._private_reply(params)
        refused = self._refuse_token(path, params, headers)
        if refused is not None:
            return refused
        if path in LIST_PATHS and method == "GET":
            return self._list(path, params)
        if path == REPLY_PATH and method == "POST":
            return self._reply(params)
        if path == CREATE_PATH and method == "POST":
            return self._create(params)
        if path == SHARE_PATH and method == "POST":
            return self._share(params)
        if path in RETIRED_WRITE_PATHS:
            return _error(path, 10014)
        return Answer(404, {"request": path, "error_code": 10020, "error": "api not found"})

    def _exchange(self, params: dict[str, str]) -> Answer:
        secret_ok = hmac.compare_digest(
            params.get("client_secret", "").encode(), self.app_secret.encode()
        )
        if params.get("client_id") != self.app_key or not secret_ok:
            return Answer(400, {"error": "invalid_client", "error_code": 21324})
        issued = self._state.codes.pop(params.get("code", ""), None)
        grant_ok = params.get("grant_type") == "authorization_code"
        if issued is None or not grant_ok or issued[1] != params.get("redirect_uri"):
            return Answer(400, {"error": "invalid_grant", "error_code": 21325})
        token = "2.00" + secrets.token_hex(14)
        self._state.tokens[token] = _Token(issued[0], time.time() + self.token_lifetime)
        body = {
            "access_token": token,
            "remind_in": str(self.token_lifetime),
            "expires_in": self.token_lifetime,
            "uid": issued[0],
            "isRealName": "true",
        }
        return Answer(200, body)

    def _refuse_token(
        self, path: str, params: dict[str, str], headers: dict[str, str]
    ) -> Answer | None:
        scheme, _space, value = headers.get("authorization", "").partition(" ")
        given = value if scheme == "OAuth2" else params.get("access_token", "")
        held = self._state.tokens.get(given)
        if held is None:
            return _error(path, 21301)
        if held.revoked:
            return _error(path, 21332)
        if held.expires_at <= time.time():
            return _error(path, 21327)
        return None

    def _list(self, path: str, params: dict[str, str]) -> Answer:
        stream, key, default_count = LIST_PATHS[path]
        count = min(int(params.get("count") or default_count), 200)
        since = int(params.get("since_id") or 0)
        highest = int(params.get("max_id") or 0)
        ids = sorted((int(i) for i in self._state.items[stream]), reverse=True)
        matching = [i for i in ids if i > since and (not highest or i <= highest)]
        page = matching[:count]
        more = len(matching) > count
        body = {
            key: [self._state.items[stream][str(i)] for i in page],
            "hasvisible": False,
            "previous_cursor": 0,
            "next_cursor": page[-1] - 1 if more else 0,
            "total_number": len(ids),
        }
        return Answer(200, body)

    def _comment_text(self, params: dict[str, str]) -> tuple[str, int]:
        text = params.get("comment", "")
        if not text:
            return "", 10016
        return text, 20012 if weibo_length(text) > COMMENT_LIMIT else 0

    def _reply(self, params: dict[str, str]) -> Answer:
        cid, status_id = params.get("cid", ""), params.get("id", "")
        earlier = self._state.comments.get(cid)
        if not cid or not status_id:
            return _error(REPLY_PATH, 10016)
        if earlier is None or earlier["status"]["idstr"] != status_id:
            return _error(REPLY_PATH, 20201)
        text, problem = self._comment_text(params)
        if problem:
            return _error(REPLY_PATH, problem)
        comment = self._add_comment(status_id, self.account_uid, "城南派出所", text, cid)
        self._state.items["to_me"][comment["idstr"]] = comment
        self._note_posted(comment, cid, params)
        return Answer(200, comment)

    def _create(self, params: dict[str, str]) -> Answer:
        status_id = params.get("id", "")
        if not status_id or not params.get("rip"):
            return _error(CREATE_PATH, 10016)
        if status_id not in self._state.statuses:
            return _error(CREATE_PATH, 20101)
        text, problem = self._comment_text(params)
        if problem:
            return _error(CREATE_PATH, problem)
        comment = self._add_comment(status_id, self.account_uid, "城南派出所", text, "")
        self._note_posted(comment, "", params)
        return Answer(200, comment)

    def _note_posted(self, comment: dict[str, Any], reply_to: str, params: dict[str, str]) -> None:
        posted = PostedComment(
            comment["idstr"],
            comment["status"]["idstr"],
            reply_to,
            comment["text"],
            params.get("rip", ""),
        )
        self._state.posted.append(posted)

    def _share_problem(self, text: str, rip: str) -> tuple[int, str]:
        """Return the code and message Weibo answers a share with, or (0, "") if it fits."""
        if not self.share_permitted:
            return 10014, ""
        if not text or not rip:
            return 10016, ""
        if weibo_length(text) > SHARE_LIMIT:
            return 20012, ""
        if TOPIC_MARK.search(text):
            return 10017, "text contains topic!"
        hosts = [host.lower().rstrip(".") for host in LINK_HOST.findall(text)]
        domain = self.bound_domain
        if not domain or not any(h == domain or h.endswith("." + domain) for h in hosts):
            return 10017, "text not find domain!"
        if self._state.shared and self._state.shared[-1].text == text:
            return 20019, ""
        return 0, ""

    def _share(self, params: dict[str, str]) -> Answer:
        text, rip = params.get("status", ""), params.get("rip", "")
        code, message = self._share_problem(text, rip)
        if code and message:
            return Answer(400, {"request": SHARE_PATH, "error_code": code, "error": message})
        if code:
            return _error(SHARE_PATH, code)
        status = self._add_status(self.account_uid, "城南派出所", text)
        self._state.shared.append(SharedPost(status["idstr"], text, rip))
        return Answer(200, status)

    def _private_reply(self, params: dict[str, str]) -> Answer:
        given = params.get("access_token", "")
        if not self.fans_service_token or not hmac.compare_digest(
            given.encode(), self.fans_service_token.encode()
        ):
            return _error(MESSAGE_REPLY_PATH, 21301)
        receiver = params.get("receiver_id", "")
        try:
            data = json.loads(unquote(params.get("data", "")))
            text = str(data["text"])
        except (ValueError, KeyError, TypeError):
            return _error(MESSAGE_REPLY_PATH, 10017)
        if params.get("type") != "text" or not receiver.isdigit():
            return _error(MESSAGE_REPLY_PATH, 10017)
        if weibo_length(text) >= PRIVATE_LIMIT:
            return _error(MESSAGE_REPLY_PATH, 20013)
        if not self._may_write(receiver):
            return _error(MESSAGE_REPLY_PATH, 20301)
        self._state.private.append(PrivateReply(receiver, text))
        return Answer(200, {"result": True, "receiver_id": int(receiver)})

    def _may_write(self, receiver: str) -> bool:
        wrote = self._state.wrote_at.get(receiver)
        if wrote is not None and time.time() - wrote < PRIVATE_WINDOW_SECONDS:
            return True
        left = self._state.mention_replies_left.get(receiver, 0)
        if left > 0:
            self._state.mention_replies_left[receiver] = left - 1
            return True
        return False


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a fake Weibo API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8903, help="0 picks a free port")
    parser.add_argument("--app", required=True, help="app key and secret as KEY:SECRET")
    parser.add_argument("--fans-service-token", default="")
    parser.add_argument("--bound-domain", default="", help="the app's security domain")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM, after printing the base URL on its own line."""
    args = _parse_args(argv)
    app_key, _separator, app_secret = args.app.partition(":")
    fake = FakeWeiboAPI(
        app_key,
        app_secret,
        fans_service_token=args.fans_service_token,
        port=args.port,
        bound_domain=args.bound_domain,
    )
    return serve_until_stopped(fake)


if __name__ == "__main__":
    sys.exit(main())
