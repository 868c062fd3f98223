"""A resident writes to a demo station's WeChat account, over HTTP, as WeChat delivers it."""

import csv
import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from beatdesk.channels.wechat.peer import WeChatPeer, fields
from beatdesk.inbox.actions import TRACKING_ALPHABET

MATRIX = Path(__file__).resolve().parents[2] / "beatdesk" / "demo" / "data" / "matrix.csv"
TRACKING_CODE = re.compile(f"[{TRACKING_ALPHABET}]{{8}}")


def demo_peer(account_code: str) -> WeChatPeer:
    """Play WeChat for one account of the demo matrix, with its credentials."""
    with MATRIX.open(encoding="utf-8", newline="") as lines:
        rows = [row for row in csv.DictReader(lines) if row["record"] == "account"]
    row = next(row for row in rows if row["code"] == account_code)
    return WeChatPeer(row["token"], row["app_id"], row["encoding_aes_key"], row["original_id"])


def resident_writes(base_url: str, account_code: str, openid: str, text: str) -> str:
    """Push a text message and return the tracking code of the automatic reply."""
    peer = demo_peer(account_code)
    now = int(time.time())
    query, body = peer.signed_request(peer.build_text(openid, text, now * 1000, now), "safe")
    request = urllib.request.Request(
        f"{base_url}/hooks/wechat/{account_code}/?{urlencode(query)}",
        data=body,
        headers={"Content-Type": "text/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        reply = peer.open_reply(response.read(), query)

    assert reply is not None, "a new resident's first message gets an automatic reply"
    found = TRACKING_CODE.search(fields(reply)["Content"])
    assert found is not None, fields(reply)["Content"]
    return found.group()
