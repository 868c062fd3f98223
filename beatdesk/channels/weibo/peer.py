"""Push to Beatdesk exactly as Weibo's fan-service platform does, for tests and the demo.

It builds pushes in the platform's JSON shape (`type`, `receiver_id`, `sender_id`,
`created_at`, `text`, `data`) and signs the query the way the platform does: SHA-1 of the
app secret, timestamp and nonce, sorted and joined. It shares no code with the product,
so a defect in our verification or parsing shows up as a disagreement. The builders do
not clean what they are given: tests must be able to send hostile content.
"""

import hashlib
import http.client
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

Json = dict[str, Any]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
POST_TIMEOUT_SECONDS = 10
BEIJING = timezone(timedelta(hours=8))


def signature(app_secret: str, timestamp: str, nonce: str) -> str:
    """Return the `signature` query value for these three values."""
    joined = "".join(sorted([app_secret, timestamp, nonce]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()  # noqa: S324 - the platform's scheme


def created_at(moment: float | None = None) -> str:
    """Spell a time as the platform does: `Mon Jul 16 18:09:20 +0800 2012`."""
    when = datetime.fromtimestamp(time.time() if moment is None else moment, tz=BEIJING)
    return when.strftime("%a %b %d %H:%M:%S +0800 %Y")


def encode(push: Json) -> bytes:
    return json.dumps(push, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class PeerResponse:
    status: int
    body: bytes


class WeiboPushPeer:
    """The platform pushing for one verified account (receiver_id), signing with its secret."""

    def __init__(self, app_secret: str, receiver_id: int) -> None:
        self.app_secret = app_secret
        self.receiver_id = receiver_id

    def signed_query(
        self, timestamp: int | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        moment = str(int(time.time()) if timestamp is None else timestamp)
        once = secrets.token_hex(8) if nonce is None else nonce
        return {
            "signature": signature(self.app_secret, moment, once),
            "timestamp": moment,
            "nonce": once,
        }

    def verification_query(self, echostr: str) -> dict[str, str]:
        return self.signed_query() | {"echostr": echostr}

    def _push(self, kind: str, sender_id: int, text: str, data: Json, when: float | None) -> Json:
        return {
            "type": kind,
            "receiver_id": self.receiver_id,
            "sender_id": sender_id,
            "created_at": created_at(when),
            "text": text,
            "data": data,
        }

    def text(self, sender_id: int, text: str, when: float | None = None) -> Json:
        return self._push("text", sender_id, text, {}, when)

    def image(self, sender_id: int, vfid: int = 821804459, when: float | None = None) -> Json:
        return self._push("image", sender_id, "图片", {"vfid": vfid, "tovfid": vfid + 1}, when)

    def position(self, sender_id: int, latitude: str, longitude: str) -> Json:
        return self._push(
            "position", sender_id, "我在这里", {"longitude": longitude, "latitude": latitude}, None
        )

    def event(
        self, sender_id: int, subtype: str, key: str = "", when: float | None = None
    ) -> Json:
        data = {"subtype": subtype} | ({"key": key} if key else {})
        return self._push("event", sender_id, "事件消息", data, when)

    def post(
        self, url: str, push: Json | bytes, query: dict[str, str] | None = None
    ) -> PeerResponse:
        """POST one signed push to url (loopback only) and return what it answered."""
        body = push if isinstance(push, bytes) else encode(push)
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK:
            raise ValueError("the peer only posts to http:// on this machine")
        target = f"{parts.path or '/'}?{urlencode(query or self.signed_query())}"
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port or 80, timeout=POST_TIMEOUT_SECONDS
        )
        try:
            headers = {"Content-Type": "application/json"}
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            return PeerResponse(response.status, response.read())
        finally:
            connection.close()
