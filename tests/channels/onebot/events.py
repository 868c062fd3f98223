"""Drive our OneBot endpoint exactly as NapCat would, with captured events or built ones."""

import json
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.test import Client

from beatdesk.channels.models import Account
from beatdesk.channels.onebot.peer import OneBotPeer, encode

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    """Return a captured event's exact bytes (one compact line, as NapCat sends it)."""
    return (FIXTURES / f"{name}.json").read_bytes().strip()


def fixture_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(fixture(name))
    return event


def post(
    client: Client,
    account: Account,
    peer: OneBotPeer,
    event: dict[str, Any] | bytes,
    overrides: dict[str, str] | None = None,
) -> HttpResponse:
    """POST one event signed by the peer; overrides replace headers, or drop them when empty."""
    body = event if isinstance(event, bytes) else encode(event)
    headers = peer.headers(body) | (overrides or {})
    headers = {name: value for name, value in headers.items() if value}
    content_type = headers.pop("content-type", "application/json")
    response = client.post(account.endpoint, data=body, content_type=content_type, headers=headers)
    return response  # type: ignore[return-value]
