"""Bind a member of staff's own WeChat or QQ the way they would: a code from the alerts
page, sent from their phone as a real signed push or OneBot event."""

import itertools
import re

from django.test import Client

from beatdesk.channels.models import Account
from beatdesk.channels.onebot.peer import OneBotPeer
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.units.models import User
from tests.channels.onebot.events import post
from tests.channels.wechat.pushes import push
from tests.conftest import signed_in

TEMPLATE_ID = "Dq8alertTemplate_0001-xyz"
TEMPLATE_FIELDS = {"unit": "thing1", "case": "character_string2", "time": "time3"}
ALERT_TEMPLATE = {"alert_template": {"id": TEMPLATE_ID, "fields": TEMPLATE_FIELDS}}
CODE_ON_PAGE = re.compile(r"<code>([A-Z0-9]{8})</code>")

_msg_ids = itertools.count(770001)


def make_code(user: User) -> str:
    """Ask the alerts page for a code, as the officer's button does; return the code shown."""
    response = signed_in(user).post("/me/alerts/code/")
    assert response.status_code == 200
    found = CODE_ON_PAGE.search(response.content.decode())
    assert found is not None, "the page shows no code"
    return found.group(1)


def send_wechat_text(account: Account, peer: WeChatPeer, openid: str, text: str) -> None:
    """Push a text from openid to the account, signed and encrypted as WeChat sends it."""
    response, _query = push(Client(), account, peer, peer.build_text(openid, text, next(_msg_ids)))
    assert response.status_code == 200


def send_qq_private(account: Account, peer: OneBotPeer, qq: int, text: str) -> None:
    """Post a private message from qq to the account's bot, signed as NapCat signs it."""
    assert post(Client(), account, peer, peer.private_message(qq, text)).status_code == 204


def bind_wechat(user: User, account: Account, peer: WeChatPeer, openid: str) -> None:
    send_wechat_text(account, peer, openid, f"绑定 {make_code(user)}")


def bind_qq(user: User, account: Account, peer: OneBotPeer, qq: int) -> None:
    send_qq_private(account, peer, qq, f"bind {make_code(user)}")
