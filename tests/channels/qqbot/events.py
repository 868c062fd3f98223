"""Drive our QQ bot endpoint exactly as the platform would, with captured events or built ones."""

import json
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.test import Client

from beatdesk.channels.models import Account
from beatdesk.channels.qqbot.peer import QQBotPeer, encode

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    """Return a captured request body's exact bytes (one compact line, as the platform sends)."""
    return (FIXTURES / f"{name}.json").read_bytes().strip()


def fixture_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(fixture(name))
    return event


def post(
    client: Client,
    account: Account,
    peer: QQBotPeer,
    envelope: dict[str, Any] | bytes,
    overrides: dict[str, str] | None = None,
    timestamp: int | None = None,
) -> HttpResponse:
    """POST one request signed by the peer; overrides replace headers, or drop them if empty."""
    body = envelope if isinstance(envelope, bytes) else encode(envelope)
    headers = peer.headers(body, timestamp) | (overrides or {})
    headers = {name: value for name, value in headers.items() if value}
    content_type = headers.pop("content-type", "application/json")
    response = client.post(account.endpoint, data=body, content_type=content_type, headers=headers)
    return response  # type: ignore[return-value]
