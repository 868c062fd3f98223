"""The channels the trust harness drives, each speaking its platform's exact wire format.

A channel here knows three things: how to create its account in the harness database, how
to build the n-th delivery as the platform would send it, and how to tell an answer the
platform counts as acknowledged. Adding a channel to every harness is one entry in
CHANNELS.
"""

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlencode

from beatdesk.channels.onebot.peer import OneBotPeer, at, encode, text
from beatdesk.channels.qqbot.peer import QQBotPeer
from beatdesk.channels.qqbot.peer import encode as encode_qqbot
from beatdesk.channels.wechat.peer import ReplyError, WeChatPeer, fields
from beatdesk.channels.weibo.peer import WeiboPushPeer
from beatdesk.channels.weibo.peer import encode as encode_weibo
from beatdesk.units.models import Unit
from tests.trust.browser import Browser, FormOpened

# Every delivery's text carries its marker, so the census can tell which row is which.
MARKER_PREFIX = "trust-"
RESIDENTS = 97
TEXTS = [
    "我的电动车昨晚在小区门口被偷了，{marker}",
    "请问办理居住证需要带什么材料？{marker}",
    "楼下每天半夜有人大声喧哗，影响休息 {marker}",
    "捡到一个钱包，里面有身份证，怎么交给你们 {marker}",
    "路口的红绿灯坏了，车很多，很危险 {marker}",
]

WECHAT_TOKEN = "trust-wechat-token"
WECHAT_AES_KEY = "TrustHarnessKeyForBeatdeskWeChat0123456789A"
WECHAT_APP_ID = "wxtrust000000001"
WECHAT_ORIGINAL_ID = "gh_trust00000001"
ONEBOT_SECRET = "trust-onebot-secret"
ONEBOT_ACCESS_TOKEN = "trust-onebot-access-token"
ONEBOT_BOT_QQ = 30001
QQBOT_APP_ID = "102000001"
QQBOT_SECRET = "trustharnessqqbotsecret0123456789"
WEIBO_APP_KEY = "3000000077"
WEIBO_APP_SECRET = "trust-weibo-app-secret"
WEIBO_FANS_TOKEN = "trust-weibo-fans-service-token"
WEIBO_ACCOUNT_UID = 5000000077
# A closed port on this machine: the webhook path sends nothing, and if anything tried it
# would reach no one.
NOWHERE = "http://127.0.0.1:9"


def marker(number: int) -> str:
    return f"{MARKER_PREFIX}{number:06d}"


def resident_text(number: int) -> str:
    return TEXTS[number % len(TEXTS)].format(marker=marker(number))


@dataclass(frozen=True)
class Request:
    """One HTTP request exactly as the platform sends it."""

    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


class Channel(Protocol):
    """What the harness needs from a channel."""

    kind: str
    code: str
    # Whether a repeated delivery is answered with the reply again (WeChat's passive reply)
    # or with a bare acknowledgement, the reply having gone with the first (OneBot).
    repeats_reply: bool
    # Whether a reply rides on the HTTP answer for the harness's texts. Only a 110 answer
    # does now, and no harness text is an emergency: automatic answers go out through the
    # worker and the outbox on every channel.
    replies_in_answer: bool

    def create_account(self, unit: Unit) -> None:
        """Create the channel's account in the harness database (run inside tool.py)."""
        ...

    def prepare(self, port: int, numbers: list[int]) -> None:
        """Do what the senders do before these deliveries; called before any kill."""
        ...

    def request(self, number: int) -> Request:
        """Return the request for delivery `number`; a retry repeats what the platform would."""
        ...

    def acknowledged(self, request: Request, answer: Answer) -> bool:
        """Say whether the platform would count this answer as delivered."""
        ...

    def reply_text(self, request: Request, answer: Answer) -> str:
        """Return the text of the immediate reply carried by the answer, or ""."""
        ...


class WeChatChannel:
    """A safe-mode Official Account; WeChat re-signs a retry but repeats the message."""

    kind = "wechat"
    code = "trust-wechat"
    repeats_reply = True
    replies_in_answer = False

    def __init__(self) -> None:
        self.peer = WeChatPeer(WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_AES_KEY, WECHAT_ORIGINAL_ID)
        self._created = int(time.time())

    def create_account(self, unit: Unit) -> None:
        from beatdesk.channels.models import Account, ChannelKind

        credentials = {"token": WECHAT_TOKEN, "encoding_aes_key": WECHAT_AES_KEY}
        Account.objects.create(
            code=self.code,
            kind=ChannelKind.WECHAT,
            name="Trust WeChat",
            unit=unit,
            app_id=WECHAT_APP_ID,
            original_id=WECHAT_ORIGINAL_ID,
            credentials=json.dumps(credentials | {"app_secret": "trust-secret"}),
        )

    def prepare(self, port: int, numbers: list[int]) -> None:
        return None

    def request(self, number: int) -> Request:
        openid = f"oTRUST{number % RESIDENTS:04d}"
        xml = self.peer.build_text(
            openid, resident_text(number), 7_000_000 + number, self._created
        )
        query, body = self.peer.signed_request(xml, "safe")
        path = f"/hooks/wechat/{self.code}/?{urlencode(query)}"
        return Request(path, {"Content-Type": "text/xml"}, body, query)

    def acknowledged(self, request: Request, answer: Answer) -> bool:
        if answer.status != 200:
            return False
        try:
            self.peer.open_reply(answer.body, request.query)
        except ReplyError:
            return False
        return True

    def reply_text(self, request: Request, answer: Answer) -> str:
        reply = self.peer.open_reply(answer.body, request.query)
        return "" if reply is None else fields(reply).get("Content", "")


class OneBotChannel:
    """QQ through NapCat: private messages and group messages that mention the bot."""

    kind = "onebot"
    code = "trust-onebot"
    repeats_reply = False
    replies_in_answer = False

    def __init__(self) -> None:
        self.peer = OneBotPeer(ONEBOT_BOT_QQ, ONEBOT_SECRET)
        self._created = int(time.time())
        # An event is built once: a repeat must be the same bytes, time included.
        self._events: dict[int, bytes] = {}

    def create_account(self, unit: Unit) -> None:
        from beatdesk.channels.models import Account, ChannelKind

        credentials = {
            "api_base_url": NOWHERE,
            "access_token": ONEBOT_ACCESS_TOKEN,
            "secret": ONEBOT_SECRET,
        }
        Account.objects.create(
            code=self.code,
            kind=ChannelKind.ONEBOT,
            name="Trust QQ",
            unit=unit,
            app_id=str(ONEBOT_BOT_QQ),
            credentials=json.dumps(credentials),
        )

    def prepare(self, port: int, numbers: list[int]) -> None:
        return None

    def _event(self, number: int) -> bytes:
        user = 10001 + number % RESIDENTS
        message_id, content = 500_000 + number, resident_text(number)
        if number % 4 == 0:
            segments = [at(ONEBOT_BOT_QQ), text(" " + content)]
            event = self.peer.group_message(
                user, segments, message_id=message_id, when=self._created
            )
        else:
            event = self.peer.private_message(
                user, content, message_id=message_id, when=self._created
            )
        return encode(event)

    def request(self, number: int) -> Request:
        if number not in self._events:
            self._events[number] = self._event(number)
        body = self._events[number]
        return Request(f"/hooks/onebot/{self.code}/", self.peer.headers(body), body)

    def acknowledged(self, request: Request, answer: Answer) -> bool:
        if answer.status == 204:
            return True
        if answer.status != 200:
            return False
        try:
            return isinstance(json.loads(answer.body or b"{}"), dict)
        except ValueError:
            return False

    def reply_text(self, request: Request, answer: Answer) -> str:
        if answer.status == 204 or not answer.body.strip():
            return ""
        operation = json.loads(answer.body)
        return "".join(segment["data"].get("text", "") for segment in operation.get("reply", []))


class QQBotChannel:
    """The official QQ bot platform: signed with Ed25519, acknowledged with op 12."""

    kind = "qqbot"
    code = "trust-qqbot"
    repeats_reply = False
    replies_in_answer = False

    def __init__(self) -> None:
        self.peer = QQBotPeer(QQBOT_APP_ID, QQBOT_SECRET)
        self._events: dict[int, bytes] = {}

    def create_account(self, unit: Unit) -> None:
        from beatdesk.channels.models import Account, ChannelKind

        Account.objects.create(
            code=self.code,
            kind=ChannelKind.QQBOT,
            name="Trust QQ bot",
            unit=unit,
            app_id=QQBOT_APP_ID,
            credentials=json.dumps({"app_secret": QQBOT_SECRET}),
        )

    def prepare(self, port: int, numbers: list[int]) -> None:
        return None

    def request(self, number: int) -> Request:
        if number not in self._events:
            openid = f"TRUSTOPENID{number % RESIDENTS:04d}"
            event = self.peer.c2c_message(
                openid,
                resident_text(number),
                message_id=f"ROBOT1.0_trust{number:06d}!",
                event_id=f"C2C_MESSAGE_CREATE:trust{number:06d}",
            )
            self._events[number] = encode_qqbot(event)
        body = self._events[number]
        return Request(f"/hooks/qqbot/{self.code}/", self.peer.headers(body), body)

    def acknowledged(self, request: Request, answer: Answer) -> bool:
        if answer.status != 200:
            return False
        try:
            acknowledgement: object = json.loads(answer.body)
        except ValueError:
            return False
        return acknowledgement == {"op": 12}

    def reply_text(self, request: Request, answer: Answer) -> str:
        return ""


class WeiboChannel:
    """Fan-service private messages: the platform signs the query, never the body."""

    kind = "weibo"
    code = "trust-weibo"
    repeats_reply = False
    replies_in_answer = False

    def __init__(self) -> None:
        self.peer = WeiboPushPeer(WEIBO_APP_SECRET, WEIBO_ACCOUNT_UID)
        self._created = time.time()
        # A push is built once: its time is part of its key, so a resend must repeat it.
        self._pushes: dict[int, bytes] = {}

    def create_account(self, unit: Unit) -> None:
        from beatdesk.channels.models import Account, ChannelKind

        credentials = {"app_secret": WEIBO_APP_SECRET, "fans_service_token": WEIBO_FANS_TOKEN}
        Account.objects.create(
            code=self.code,
            kind=ChannelKind.WEIBO,
            name="Trust Weibo",
            unit=unit,
            app_id=WEIBO_APP_KEY,
            original_id=str(WEIBO_ACCOUNT_UID),
            credentials=json.dumps(credentials),
        )

    def prepare(self, port: int, numbers: list[int]) -> None:
        return None

    def request(self, number: int) -> Request:
        if number not in self._pushes:
            sender = 6_000_000_001 + number % RESIDENTS
            push = self.peer.text(sender, resident_text(number), when=self._created)
            self._pushes[number] = encode_weibo(push)
        # Each sending is signed afresh, with a new timestamp and nonce, as WeChat does; a
        # copy sent at once repeats the same query, which the nonce check accepts.
        query = self.peer.signed_query()
        path = f"/hooks/weibo/{self.code}/?{urlencode(query)}"
        body = self._pushes[number]
        return Request(path, {"Content-Type": "application/json"}, body, query)

    def acknowledged(self, request: Request, answer: Answer) -> bool:
        if answer.status != 200:
            return False
        if not answer.body.strip():
            return True
        try:
            reply: object = json.loads(answer.body)
        except ValueError:
            return False
        return isinstance(reply, dict) and reply.get("result") is True

    def reply_text(self, request: Request, answer: Answer) -> str:
        return ""


class PortalChannel:
    """The write form, sent the way a resident's browser sends it.

    The browser opens the form first (its CSRF cookie, the signed form token), and sends it
    no sooner than the human check allows; a resend after a failure repeats the very same
    form. Residents write from many addresses, through the reverse proxy the harness
    server trusts (BEATDESK_TRUSTED_PROXIES), so the per-address limit sees each of them.
    """

    kind = "portal"
    code = "portal-trust-station"
    repeats_reply = False
    replies_in_answer = False

    def __init__(self) -> None:
        self._forms: dict[int, FormOpened] = {}

    def create_account(self, unit: Unit) -> None:
        from beatdesk.portal.actions import portal_account_for

        # Residents may write only to a unit with public contact details.
        unit.contact_phone = "0571-87000000"
        unit.save(update_fields=["contact_phone"])
        account = portal_account_for(unit)
        assert account.code == self.code, account.code

    def prepare(self, port: int, numbers: list[int]) -> None:
        browser = Browser(port)
        self._forms |= browser.open_forms(numbers, _resident_address, STATION_CODE)

    def request(self, number: int) -> Request:
        form = self._forms[number]
        fields = {
            "station": STATION_CODE,
            "place": "",
            "case_type": "help",
            "text": resident_text(number),
            "name": "",
            "phone": "",
        }
        headers, body = form.filled(fields)
        return Request("/write/", headers, body)

    def acknowledged(self, request: Request, answer: Answer) -> bool:
        # The receipt page names the tracking code, or says the message is safely stored.
        page = answer.body
        return answer.status == 200 and (b"tracking-code" in page or b'role="status"' in page)

    def reply_text(self, request: Request, answer: Answer) -> str:
        return ""


STATION_CODE = "trust-station"


def _resident_address(number: int) -> str:
    # 762 addresses of the three documentation ranges, taken in turn: even the long run
    # sends no address near the portal's limit of 20 forms in 10 minutes.
    index = number % 762
    block = ["192.0.2", "198.51.100", "203.0.113"][index // 254]
    return f"{block}.{1 + index % 254}"


def channel_named(kind: str) -> Channel:
    """Return a fresh channel of this kind (each keeps its own events and peer)."""
    return CHANNELS[kind]()


CHANNELS: dict[str, type[Channel]] = {
    "wechat": WeChatChannel,
    "onebot": OneBotChannel,
    "qqbot": QQBotChannel,
    "weibo": WeiboChannel,
    "portal": PortalChannel,
}


def send(port: int, request: Request, timeout: float = 10.0) -> Answer:
    """POST one request to the server on 127.0.0.1 and return its answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return Answer(response.status, response.read())
    finally:
        connection.close()
