"""A resident's ID and phone numbers, sent through every channel, reach no log and no audit.

Each channel gets a message holding a valid resident ID number (checksum and all) and a
mobile number, the way its platform sends it; the portal and Open311 also get them in
their contact fields. Every log record of the whole run, at every level and from every
logger (the worker's and Django's security logger included), and every audit record must
be free of both numbers, in any spelling the code might write them. So must a dump of the
whole database once the worker has handled every push: what a resident wrote is stored
encrypted, so a stolen dump or backup reveals none of it without BEATDESK_FIELD_KEY.
"""

import json
import logging
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from huey.api import Task
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_ENQUEUED

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.onebot.peer import OneBotPeer, encode
from beatdesk.channels.onebot.peer import signature as onebot_signature
from beatdesk.channels.qqbot.peer import QQBotPeer
from beatdesk.channels.qqbot.peer import encode as qqbot_encode
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.channels.weibo.peer import WeiboPushPeer
from beatdesk.channels.weibo.peer import encode as weibo_encode
from beatdesk.inbox.models import Message
from beatdesk.portal.models import Jurisdiction
from tests.channels.qqbot.conftest import QQBOT_APP_ID, QQBOT_SECRET, make_qqbot_account
from tests.channels.wechat.pushes import push
from tests.channels.weibo.conftest import ACCOUNT_UID, WEIBO_APP_SECRET, make_weibo_account
from tests.conftest import (
    AES_KEY,
    APP_ID,
    BOT_QQ,
    ONEBOT_SECRET,
    ORIGINAL_ID,
    TOKEN,
    Cast,
    make_onebot_account,
    make_wechat_account,
)
from tests.portal.conftest import form_fields

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
NOWHERE = "http://127.0.0.1:9"
QUIET_LOGGERS = ("huey", "django.security")


def resident_id() -> str:
    """Return a resident ID number with a correct check character (GB 11643)."""
    body = "11010519491231002"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


ID_NUMBER = resident_id()
TEXT = f"我的身份证号{ID_NUMBER}，手机{PHONE}，身份证丢了怎么补办？"


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every record at DEBUG, from the loggers that do not pass records up too."""
    caplog.set_level(logging.DEBUG)
    quiet = [logging.getLogger(name) for name in QUIET_LOGGERS]
    for logger in quiet:
        logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        for logger in quiet:
            logger.removeHandler(caplog.handler)


@pytest.fixture
def queued() -> Iterator[list[bytes]]:
    """Collect every task as the queue would store it: serialized, arguments and all."""
    messages: list[bytes] = []

    def note(signal: str, task: Task, *args: object) -> None:
        messages.append(HUEY.serialize_task(task))

    HUEY.signal(SIGNAL_ENQUEUED)(note)
    try:
        yield messages
    finally:
        HUEY.disconnect_signal(note, SIGNAL_ENQUEUED)


@pytest.fixture
def accounts(cast: Cast, settings: object) -> dict[str, Account]:
    for name in ("WECHAT", "WEIBO", "WEIBO_MESSAGES", "QQBOT"):
        setattr(settings, f"{name}_API_BASE_URL", NOWHERE)
    settings.QQBOT_TOKEN_URL = f"{NOWHERE}/token"  # type: ignore[attr-defined]
    cast.station_a.contact_phone, cast.station_a.office_hours = "0571-87000000", "8:30-17:30"
    cast.station_a.save()
    Jurisdiction.objects.create(code="city.example.cn", unit=cast.station_a)
    return {
        "wechat": make_wechat_account(cast.station_a, code="wx-a"),
        "onebot": make_onebot_account(cast.station_a, code="qq-a"),
        "qqbot": make_qqbot_account(cast.station_a, code="qqbot-a"),
        "weibo": make_weibo_account(cast.station_a, code="weibo-a"),
    }


def _send_everywhere(accounts: dict[str, Account]) -> list[int]:
    """Send TEXT through every channel; return the status of each answer."""
    client = Client()
    statuses = []

    wechat_peer = _wechat_peer()
    response, _query = push(
        client,
        accounts["wechat"],
        wechat_peer,
        wechat_peer.build_text("oPRIVATE", TEXT, msg_id=9001),
    )
    statuses.append(response.status_code)

    body = encode(OneBotPeer(BOT_QQ, ONEBOT_SECRET).private_message(10001, TEXT, message_id=9002))
    headers = {"x-signature": onebot_signature(ONEBOT_SECRET, body), "x-self-id": str(BOT_QQ)}
    statuses.append(
        client.post("/hooks/onebot/qq-a/", body, "application/json", headers=headers).status_code
    )

    qqbot = QQBotPeer(QQBOT_APP_ID, QQBOT_SECRET)
    body = qqbot_encode(qqbot.c2c_message("OPENIDPRIVATE", TEXT))
    signed = {k: v for k, v in qqbot.headers(body).items() if k != "content-type"}
    statuses.append(
        client.post("/hooks/qqbot/qqbot-a/", body, "application/json", headers=signed).status_code
    )

    weibo = WeiboPushPeer(WEIBO_APP_SECRET, ACCOUNT_UID)
    query = urlencode(weibo.signed_query())
    body = weibo_encode(weibo.text(6000000009, TEXT))
    statuses.append(
        client.post(f"/hooks/weibo/weibo-a/?{query}", body, "application/json").status_code
    )

    portal = form_fields(text=TEXT, phone=PHONE, name="王芳")
    statuses.append(client.post("/write/", portal).status_code)

    open311 = urlencode(
        {
            "jurisdiction_id": "city.example.cn",
            "service_code": "help",
            "address_string": "文三路100号",
            "description": TEXT,
            "phone": PHONE,
            "first_name": "芳",
            "last_name": "王",
        }
    )
    form = "application/x-www-form-urlencoded"
    statuses.append(client.post("/open311/v2/requests.json", open311, form).status_code)
    return statuses


def _spellings(number: str) -> list[str]:
    """Return the number as written whole, spaced and dashed."""
    groups = [number[:3], number[3:7], number[7:]]
    if len(number) == 18:
        groups = [number[:6], number[6:14], number[14:]]
    return [number, " ".join(groups), "-".join(groups)]


def _dump_database() -> str:
    """Return every row of every table as text; binary values also as hexadecimal digits."""
    if connection.vendor == "sqlite":
        # iterdump writes blobs as X'...' hex, so the hex spellings below find them there.
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # Table names come from the database's own catalogue, quoted.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                lines.append(f'INSERT INTO "{table}" {[_readable(value) for value in row]!r}')
    return "\n".join(lines)


def _tables_holding(dump: str, text: str) -> set[str]:
    """Name the tables whose rows in the dump hold `text`, for a failure to point at."""
    return {line.split('"')[1] for line in dump.splitlines() if text in line and '"' in line}


def _readable(value: object) -> object:
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex() + " " + bytes(value).decode("utf-8", errors="replace")
    return value


def _wechat_peer() -> WeChatPeer:
    return WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)


def test_numbers_sent_through_every_channel_reach_no_log_and_no_audit_record(
    accounts: dict[str, Account], every_log_record: pytest.LogCaptureFixture
) -> None:
    statuses = _send_everywhere(accounts)

    assert all(status < 400 for status in statuses), statuses
    # The messages did arrive: the test would prove nothing if they had been refused.
    assert sum(PHONE in message.text for message in Message.objects.all()) >= 6
    logged = every_log_record.text
    assert every_log_record.records, "nothing was logged: the capture is not working"
    for number in (ID_NUMBER, PHONE, PHONE[-8:], ID_NUMBER[-8:]):
        assert number not in logged
    audited = json.dumps(
        list(AuditRecord.objects.values("details", "object_id")), ensure_ascii=False
    )
    assert ID_NUMBER not in audited and PHONE not in audited


def test_numbers_sent_through_every_channel_are_nowhere_in_a_dump_of_the_database(
    accounts: dict[str, Account], queued: list[bytes]
) -> None:
    statuses = _send_everywhere(accounts)

    assert all(status < 400 for status in statuses), statuses
    # Read back through the models, every message and contact is whole: only the columns
    # are unreadable, not what officers see once they unmask.
    assert sum(PHONE in message.text for message in Message.objects.all()) >= 6
    dump = _dump_database().lower()
    # The rows are in the dump: it would prove nothing if the pushes had been stored elsewhere.
    assert dump.count('insert into "channels_inbounddelivery"') >= 6
    assert dump.count('insert into "inbox_message"') >= 6
    for spelling in [*_spellings(ID_NUMBER), *_spellings(PHONE)]:
        for form in (spelling.lower(), spelling.encode().hex()):
            assert form not in dump, (spelling, _tables_holding(dump, form))
    # Queued tasks carry ids only: the queue's own store is a file or Redis in production.
    assert queued, "no task was queued: the worker step did not run"
    for message in queued:
        for number in (ID_NUMBER, PHONE):
            assert number.encode() not in message
