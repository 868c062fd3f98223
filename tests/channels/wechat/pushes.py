"""Drive our WeChat endpoint exactly as WeChat's servers would, through the test peer."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.test import Client

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import Mode, WeChatPeer


def push(
    client: Client,
    account: Account,
    peer: WeChatPeer,
    xml: str,
    mode: Mode = "safe",
    **overrides: str,
) -> tuple[HttpResponse, dict[str, str]]:
    """POST a signed (and, outside plain mode, encrypted) push; return response and query."""
    query, body = peer.signed_request(xml, mode)
    query.update(overrides)
    response = client.post(
        f"{account.endpoint}?{urlencode(query)}", data=body, content_type="text/xml"
    )
    return response, query  # type: ignore[return-value]


def post_raw(client: Client, account: Account, query: dict[str, str], body: bytes) -> HttpResponse:
    return client.post(  # type: ignore[return-value]
        f"{account.endpoint}?{urlencode(query)}", data=body, content_type="text/xml"
    )
