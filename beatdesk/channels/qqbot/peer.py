"""Post webhook requests to Beatdesk exactly as the official QQ bot platform does.

This module plays the platform's side: it builds envelopes in the documented shapes,
serialises them the way Go's encoding/json does (compact, with `<`, `>` and `&` escaped
as `\\u003c`, `\\u003e`, `\\u0026`), and signs timestamp + body with the Ed25519 key seeded
from the bot's secret, in the platform's headers. It shares no code with the product, so
a defect in our verification or parsing shows up as a disagreement.

The builders do not clean what they are given: tests must be able to send exactly the
hostile content real residents type.
"""

import http.client
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

Json = dict[str, Any]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
POST_TIMEOUT_SECONDS = 10
BEIJING = timezone(timedelta(hours=8))


def encode(envelope: Json) -> bytes:
    """Serialise like Go's json.Marshal: no spaces, UTF-8, HTML characters escaped."""
    text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")).encode(
        "utf-8"
    )


def key_of(secret: str) -> Ed25519PrivateKey:
    """Return the bot's key: the secret written out as often as needed, its first 32 bytes."""
    raw = secret.encode("utf-8")
    repeats = -(-32 // len(raw))
    return Ed25519PrivateKey.from_private_bytes((raw * repeats)[:32])


def rfc3339(moment: datetime) -> str:
    """Return a time as the platform writes message timestamps: Beijing time, no fraction."""
    return moment.astimezone(BEIJING).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class PeerResponse:
    """What our endpoint answered."""

    status: int
    body: bytes

    @property
    def json(self) -> Json | None:
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


class QQBotPeer:
    """The platform's side of one bot (AppID), signing with the bot's secret."""

    def __init__(self, app_id: str, secret: str) -> None:
        self.app_id = app_id
        self.secret = secret
        self._counter = itertools.count(1)

    # Envelopes.

    def _dispatch(self, event_type: str, data: Json, event_id: str | None) -> Json:
        number = next(self._counter)
        identifier = event_id or f"{event_type}:{secrets.token_hex(16)}"
        return {"op": 0, "id": identifier, "d": data, "s": number, "t": event_type}

    def _message_id(self) -> str:
        return f"ROBOT1.0_{secrets.token_urlsafe(24)}!"

    def c2c_message(
        self,
        user_openid: str,
        content: str,
        *,
        message_id: str | None = None,
        event_id: str | None = None,
        when: datetime | None = None,
        attachments: list[Json] | None = None,
    ) -> Json:
        """Build a private message to the bot (C2C_MESSAGE_CREATE)."""
        data: Json = {
            "author": {"id": user_openid, "union_openid": user_openid, "user_openid": user_openid},
            "content": content,
            "id": message_id or self._message_id(),
            "timestamp": rfc3339(when or datetime.now(UTC)),
        }
        if attachments is not None:
            data["attachments"] = attachments
        return self._dispatch("C2C_MESSAGE_CREATE", data, event_id)

    def group_at_message(
        self,
        group_openid: str,
        member_openid: str,
        content: str,
        *,
        message_id: str | None = None,
        event_id: str | None = None,
        when: datetime | None = None,
    ) -> Json:
        """Build an @-mention of the bot in a group; the mention itself is already removed."""
        data: Json = {
            "author": {"id": member_openid, "member_openid": member_openid},
            "content": f" {content}",
            "group_id": group_openid,
            "group_openid": group_openid,
            "id": message_id or self._message_id(),
            "timestamp": rfc3339(when or datetime.now(UTC)),
        }
        return self._dispatch("GROUP_AT_MESSAGE_CREATE", data, event_id)

    def group_robot_event(
        self, event_type: str, group_openid: str, op_member_openid: str, *, when: int | None = None
    ) -> Json:
        """Build GROUP_ADD_ROBOT, GROUP_DEL_ROBOT or a group's push switch."""
        data = {
            "group_openid": group_openid,
            "op_member_openid": op_member_openid,
            "timestamp": int(time.time()) if when is None else when,
        }
        return self._dispatch(event_type, data, None)

    def friend_event(self, event_type: str, openid: str) -> Json:
        """Build FRIEND_ADD, FRIEND_DEL or a private chat's push switch."""
        return self._dispatch(event_type, {"openid": openid, "timestamp": int(time.time())}, None)

    def guild_at_message(self, content: str) -> Json:
        """Build an @-mention in a guild text channel (AT_MESSAGE_CREATE)."""
        data = {
            "author": {"avatar": "", "bot": False, "id": "1234", "username": "abc"},
            "channel_id": "100010",
            "content": content,
            "guild_id": "18700000000001",
            "id": "0812345677890abcdef",
            "timestamp": rfc3339(datetime.now(UTC)),
            "seq": 101,
        }
        return self._dispatch("AT_MESSAGE_CREATE", data, None)

    @staticmethod
    def validation(plain_token: str, event_ts: str) -> Json:
        """Build the address check the platform sends when the callback URL is saved."""
        return {"d": {"plain_token": plain_token, "event_ts": event_ts}, "op": 13}

    def answer_is_valid(self, challenge: Json, answer: Json | None) -> bool:
        """Check an address-check answer as the platform does, with the bot's public key."""
        if answer is None or answer.get("plain_token") != challenge["d"]["plain_token"]:
            return False
        message = (challenge["d"]["event_ts"] + challenge["d"]["plain_token"]).encode()
        try:
            signature = bytes.fromhex(str(answer.get("signature", "")))
            key_of(self.secret).public_key().verify(signature, message)
        except (ValueError, InvalidSignature):
            return False
        return True

    # The wire.

    def signature(self, timestamp: str, body: bytes) -> str:
        return key_of(self.secret).sign(timestamp.encode() + body).hex()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """Return the headers the platform sends with body, signed at timestamp (now)."""
        moment = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "content-type": "application/json",
            "user-agent": "QQBot-Callback",
            "x-bot-appid": self.app_id,
            "x-signature-method": "Ed25519",
            "x-signature-timestamp": moment,
            "x-signature-ed25519": self.signature(moment, body),
        }

    def post(self, url: str, envelope: Json | bytes) -> PeerResponse:
        """POST one signed request to url (loopback only) and return what it answered."""
        body = envelope if isinstance(envelope, bytes) else encode(envelope)
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
