"""The cast every test uses, built in code: two stations under one county, and their people.

province (center)
  city
    county            leader, inspector at the city
      station A       officer Anna, wechat account "station-a", QQ account "station-a-qq"
      station B       officer Bo
outsider: signed in, no role anywhere
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from beatdesk.channels.models import Account, ChannelKind, SecurityMode
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.units.models import Role, RoleAssignment, Unit, UnitKind, User

TOKEN = "beatdesk-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-app-secret-0001"
ORIGINAL_ID = "gh_stationa0001"
# QQ numbers from the shared fake values: residents 10001 and 10002, group 20001, bot 30001.
BOT_QQ = 30001
ONEBOT_SECRET = "beatdesk-onebot-secret"
ONEBOT_ACCESS_TOKEN = "beatdesk-onebot-access-token"


@dataclass
class Cast:
    province: Unit
    city: Unit
    county: Unit
    station_a: Unit
    station_b: Unit
    officer_a: User
    officer_b: User
    leader: User
    center_operator: User
    inspector: User
    outsider: User


def make_unit(code: str, kind: str, parent: Unit | None) -> Unit:
    return Unit.objects.create(code=code, name=f"Unit {code}", kind=kind, parent=parent)


def make_user(username: str, unit: Unit | None, role: str | None) -> User:
    user = User.objects.create_user(username, password="correct horse battery")
    user.display_name = username.replace("_", " ").title()
    user.save()
    if unit is not None and role is not None:
        RoleAssignment.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def cast(db: None) -> Cast:
    province = make_unit("prov", UnitKind.PROVINCE, None)
    city = make_unit("city", UnitKind.CITY, province)
    county = make_unit("county", UnitKind.COUNTY, city)
    station_a = make_unit("station-a", UnitKind.STATION, county)
    station_b = make_unit("station-b", UnitKind.STATION, county)
    return Cast(
        province=province,
        city=city,
        county=county,
        station_a=station_a,
        station_b=station_b,
        officer_a=make_user("officer_anna", station_a, Role.OFFICER),
        officer_b=make_user("officer_bo", station_b, Role.OFFICER),
        leader=make_user("leader_li", county, Role.LEADER),
        center_operator=make_user("center_chen", province, Role.CENTER_STAFF),
        inspector=make_user("inspector_ivy", city, Role.INSPECTOR),
        outsider=make_user("outsider_otto", None, None),
    )


def make_wechat_account(
    unit: Unit, code: str = "station-a", mode: str = SecurityMode.SAFE, **extra: object
) -> Account:
    credentials = {"token": TOKEN, "encoding_aes_key": AES_KEY, "app_secret": APP_SECRET}
    return Account.objects.create(
        code=code,
        kind=ChannelKind.WECHAT,
        name=f"WeChat of {unit.code}",
        unit=unit,
        app_id=APP_ID,
        original_id=ORIGINAL_ID,
        credentials=json.dumps(credentials),
        security_mode=mode,
        **extra,
    )


@pytest.fixture
def account(cast: Cast) -> Account:
    return make_wechat_account(cast.station_a)


@pytest.fixture
def peer() -> WeChatPeer:
    return WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)


@pytest.fixture
def fake_wechat(settings: object) -> Iterator[FakeWeChatAPI]:
    fake = FakeWeChatAPI()
    fake.add_app(APP_ID, APP_SECRET)
    base_url = fake.start()
    settings.WECHAT_API_BASE_URL = base_url  # type: ignore[attr-defined]
    try:
        yield fake
    finally:
        fake.stop()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_onebot_account(
    unit: Unit,
    code: str = "station-a-qq",
    api_base_url: str = "http://127.0.0.1:9",
    **extra: object,
) -> Account:
    credentials = {
        "api_base_url": api_base_url,
        "access_token": ONEBOT_ACCESS_TOKEN,
        "secret": ONEBOT_SECRET,
    }
    return Account.objects.create(
        code=code,
        kind=ChannelKind.ONEBOT,
        name=f"QQ groups of {unit.code}",
        unit=unit,
        app_id=str(BOT_QQ),
        credentials=json.dumps(credentials),
        **extra,
    )


@pytest.fixture
def onebot_account(cast: Cast) -> Account:
    return make_onebot_account(cast.station_a)


@pytest.fixture
def onebot_peer() -> OneBotPeer:
    return OneBotPeer(BOT_QQ, ONEBOT_SECRET)


@pytest.fixture
def fake_onebot(onebot_account: Account) -> Iterator[FakeOneBotAPI]:
    """Serve a fake OneBot API and point the QQ account of station A at it."""
    fake = FakeOneBotAPI(ONEBOT_ACCESS_TOKEN, str(BOT_QQ))
    credentials = json.loads(onebot_account.credentials)
    credentials["api_base_url"] = fake.start()
    onebot_account.credentials = json.dumps(credentials)
    onebot_account.save(update_fields=["credentials"])
    try:
        yield fake
    finally:
        fake.stop()
