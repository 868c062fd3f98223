"""Hypothesis throws made-up requests at every address a stranger can reach: none fails.

Each channel's endpoint gets bodies signed the way its platform signs them (so they pass the
signature check and reach the parsers) and unsigned ones; the portal, tracking, Open311,
sign-in, health and API addresses get any method, query and body. Every answer must be
below 500, and nothing stored may hold a NUL character (PostgreSQL refuses them and SQLite
keeps them, so the test reads what was kept).
"""

import json
import time
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beatdesk.channels.models import Account, InboundDelivery
from beatdesk.channels.onebot.peer import signature as onebot_signature
from beatdesk.channels.qqbot.peer import QQBotPeer
from beatdesk.channels.wechat.peer import sign as wechat_sign
from beatdesk.channels.weibo.peer import signature as weibo_signature
from beatdesk.inbox.models import Message, Resident
from tests.channels.qqbot.conftest import QQBOT_APP_ID, QQBOT_SECRET, make_qqbot_account
from tests.channels.weibo.conftest import WEIBO_APP_SECRET, make_weibo_account
from tests.conftest import (
    ONEBOT_SECRET,
    TOKEN,
    Cast,
    make_onebot_account,
    make_wechat_account,
)

pytestmark = pytest.mark.django_db

NOWHERE = "http://127.0.0.1:9"
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PUBLIC_PATHS = [
    "/write/",
    "/track/",
    "/login/",
    "/login/code/",
    "/healthz",
    "/api/check",
    "/api/openapi.json",
    "/open311/v2/services.json",
    "/open311/v2/services.xml",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/open311/v2/requests/abc123.json",
    "/open311/v2/services/theft.xml",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "text/xml",
    "text/plain; charset=gbk",
    "",
]
bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=512).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=12,
    ).map(lambda value: json.dumps(value, allow_nan=True).encode()),
)
queries = st.dictionaries(
    st.sampled_from(["text", "code", "station", "lat", "long", "jurisdiction_id", "page", "q"])
    | st.text(max_size=8),
    st.text(max_size=40),
    max_size=4,
)


@pytest.fixture
def outward_to_nowhere(settings: object) -> None:
    for name in ("WECHAT", "WEIBO", "WEIBO_MESSAGES", "QQBOT"):
        setattr(settings, f"{name}_API_BASE_URL", NOWHERE)
    settings.QQBOT_TOKEN_URL = f"{NOWHERE}/token"  # type: ignore[attr-defined]


@pytest.fixture
def accounts(cast: Cast, outward_to_nowhere: None) -> dict[str, Account]:
    return {
        "wechat": make_wechat_account(cast.station_a, code="wx-a", mode="plain"),
        "onebot": make_onebot_account(cast.station_a, code="qq-a"),
        "qqbot": make_qqbot_account(cast.station_a, code="qqbot-a"),
        "weibo": make_weibo_account(cast.station_a, code="weibo-a"),
    }


def _signed(kind: str, account: Account, body: bytes) -> tuple[str, dict[str, str]]:
    """Return the query string and headers the platform would sign this body with."""
    moment, nonce = str(int(time.time())), "4711"
    if kind == "wechat":
        query = {"signature": wechat_sign(TOKEN, moment, nonce), "timestamp": moment}
        return urlencode(query | {"nonce": nonce, "openid": "oFUZZ"}), {}
    if kind == "onebot":
        return "", {"x-signature": onebot_signature(ONEBOT_SECRET, body), "x-self-id": "30001"}
    if kind == "qqbot":
        headers = QQBotPeer(QQBOT_APP_ID, QQBOT_SECRET).headers(body)
        return "", {name: value for name, value in headers.items() if name != "content-type"}
    query = {"signature": weibo_signature(WEIBO_APP_SECRET, moment, nonce), "timestamp": moment}
    return urlencode(query | {"nonce": nonce}), {}


def _nothing_stored_holds_nul() -> None:
    # Read back in Python: SQLite's LIKE stops at a NUL in the pattern and matches anything.
    stored = [
        *Message.objects.values_list("text", flat=True),
        *Resident.objects.values_list("external_id", flat=True),
        *InboundDelivery.objects.values_list("payload", flat=True),
    ]
    assert not [value for value in stored if "\x00" in value]


@EXAMPLES
@given(
    kind=st.sampled_from(["wechat", "onebot", "qqbot", "weibo"]),
    body=bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
    sign=st.booleans(),
)
def test_no_channel_endpoint_fails_on_any_body_signed_or_not(
    accounts: dict[str, Account], kind: str, body: bytes, content_type: str, sign: bool
) -> None:
    account = accounts[kind]
    query, headers = _signed(kind, account, body) if sign else ("", {})

    response = Client().generic(
        "POST", f"/hooks/{kind}/{account.code}/?{query}", body, content_type, headers=headers
    )

    assert response.status_code < 500, (kind, response.status_code, response.content[:200])
    _nothing_stored_holds_nul()


@EXAMPLES
@given(
    path=st.sampled_from(PUBLIC_PATHS),
    method=st.sampled_from(METHODS),
    query=queries,
    body=bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
)
def test_no_public_page_fails_on_any_request(
    cast: Cast, path: str, method: str, query: dict[str, str], body: bytes, content_type: str
) -> None:
    url = f"{path}?{urlencode(query)}" if query else path

    response = Client().generic(method, url, body if method != "GET" else b"", content_type)

    assert response.status_code < 500, (path, method, response.status_code)
    _nothing_stored_holds_nul()
