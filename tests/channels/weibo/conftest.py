"""Station A's Weibo account, the fake Weibo API it talks to, and the fan-service pusher."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.weibo import client
from beatdesk.channels.weibo.fake_api import FakeWeiboAPI
from beatdesk.channels.weibo.peer import WeiboPushPeer
from beatdesk.units.models import Unit
from tests.conftest import Cast

WEIBO_APP_KEY = "3000000001"
WEIBO_APP_SECRET = "beatdesk-weibo-app-secret"
WEIBO_FANS_TOKEN = "beatdesk-weibo-fans-service-token"
# The station's own Weibo user, and two residents.
ACCOUNT_UID = 5000000001
RESIDENT_A = 6000000001
RESIDENT_B = 6000000002
FIXTURES = Path(__file__).parent / "fixtures"
# The security domain bound to the app at Weibo, and the station's portal on it.
BOUND_DOMAIN = "police.example.gov.cn"
PORTAL_URL = "https://police.example.gov.cn/write/?station=station-a"


def fixture_bytes(name: str) -> bytes:
    """Return a captured payload's exact bytes."""
    return (FIXTURES / f"{name}.json").read_bytes()


def make_weibo_account(unit: Unit, code: str = "station-a-weibo", **extra: object) -> Account:
    credentials = {"app_secret": WEIBO_APP_SECRET, "fans_service_token": WEIBO_FANS_TOKEN}
    return Account.objects.create(
        code=code,
        kind=ChannelKind.WEIBO,
        name=f"Weibo of {unit.code}",
        unit=unit,
        app_id=WEIBO_APP_KEY,
        credentials=json.dumps(credentials),
        channel_settings={"rip": "203.0.113.7"},
        **extra,
    )


@pytest.fixture
def weibo_account(cast: Cast) -> Account:
    return make_weibo_account(cast.station_a)


@pytest.fixture
def fake_weibo(settings: object) -> Iterator[FakeWeiboAPI]:
    """Serve a fake Weibo API and point both Weibo hosts at it."""
    fake = FakeWeiboAPI(
        WEIBO_APP_KEY,
        WEIBO_APP_SECRET,
        str(ACCOUNT_UID),
        fans_service_token=WEIBO_FANS_TOKEN,
        bound_domain=BOUND_DOMAIN,
    )
    base_url = fake.start()
    settings.WEIBO_API_BASE_URL = base_url  # type: ignore[attr-defined]
    settings.WEIBO_MESSAGES_API_BASE_URL = base_url  # type: ignore[attr-defined]
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def authorised(weibo_account: Account, fake_weibo: FakeWeiboAPI) -> Account:
    """Station A's account after its owner allowed the app and the code was exchanged."""
    client.exchange_code(weibo_account, fake_weibo.issue_code())
    weibo_account.refresh_from_db()
    return weibo_account


@pytest.fixture
def push_peer() -> WeiboPushPeer:
    return WeiboPushPeer(WEIBO_APP_SECRET, ACCOUNT_UID)
