"""The QQ bot of station A, the platform's side of it, and a fake of its OpenAPI."""

import json
from collections.abc import Iterator

import pytest

from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.qqbot.fake_api import FakeQQBotAPI
from beatdesk.channels.qqbot.peer import QQBotPeer
from beatdesk.units.models import Unit
from tests.conftest import Cast

QQBOT_APP_ID = "102030001"
QQBOT_SECRET = "beatdeskQQbotSecret"
# Openids are 32 hexadecimal characters; these stand for residents 10001 and 10002 and
# group 20001 of the shared fake values.
RESIDENT_A = "A0000000000000000000000000010001"
RESIDENT_B = "A0000000000000000000000000010002"
GROUP = "C0000000000000000000000000020001"
# A closed port on this machine: whatever a test forgets to point at a fake fails fast
# here and never reaches Tencent.
NOWHERE = "http://127.0.0.1:9"


def make_qqbot_account(unit: Unit, code: str = "station-a-qqbot", **extra: object) -> Account:
    return Account.objects.create(
        code=code,
        kind=ChannelKind.QQBOT,
        name=f"QQ bot of {unit.code}",
        unit=unit,
        app_id=QQBOT_APP_ID,
        credentials=json.dumps({"app_secret": QQBOT_SECRET}),
        **extra,
    )


@pytest.fixture(autouse=True)
def no_real_endpoints(settings: object) -> None:
    settings.QQBOT_API_BASE_URL = NOWHERE  # type: ignore[attr-defined]
    settings.QQBOT_TOKEN_URL = f"{NOWHERE}/app/getAppAccessToken"  # type: ignore[attr-defined]


@pytest.fixture
def qqbot_account(cast: Cast) -> Account:
    return make_qqbot_account(cast.station_a)


@pytest.fixture
def qqbot_peer() -> QQBotPeer:
    return QQBotPeer(QQBOT_APP_ID, QQBOT_SECRET)


@pytest.fixture
def fake_qqbot(settings: object) -> Iterator[FakeQQBotAPI]:
    """Serve a fake OpenAPI and token endpoint, and point every QQ bot account at it."""
    fake = FakeQQBotAPI(QQBOT_APP_ID, QQBOT_SECRET)
    base_url = fake.start()
    settings.QQBOT_API_BASE_URL = base_url  # type: ignore[attr-defined]
    settings.QQBOT_TOKEN_URL = f"{base_url}/app/getAppAccessToken"  # type: ignore[attr-defined]
    try:
        yield fake
    finally:
        fake.stop()
