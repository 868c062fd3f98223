"""A resident writes to a demo station's WeChat account, over HTTP, as WeChat delivers it."""

import csv
import re
import sqlite3
import time
import urllib.request
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.core.secrets import blind_index
from beatdesk.inbox.actions import TRACKING_ALPHABET
from tests.browser.server import Site

MATRIX = Path(__file__).resolve().parents[2] / "beatdesk" / "demo" / "data" / "matrix.csv"
TRACKING_CODE = re.compile(f"[{TRACKING_ALPHABET}]{{8}}")
# The worker picks a push up within a second or two; a loaded CI machine may take longer.
CASE_WAIT_SECONDS = 30
CASE_OF_RESIDENT = """
    SELECT c.tracking_code FROM inbox_case c JOIN inbox_resident r ON r.id = c.resident_id
    WHERE r.external_id_index = ? ORDER BY c.id DESC LIMIT 1
"""


def demo_peer(account_code: str) -> WeChatPeer:
    """Play WeChat for one account of the demo matrix, with its credentials."""
    with MATRIX.open(encoding="utf-8", newline="") as lines:
        rows = [row for row in csv.DictReader(lines) if row["record"] == "account"]
    row = next(row for row in rows if row["code"] == account_code)
    return WeChatPeer(row["token"], row["app_id"], row["encoding_aes_key"], row["original_id"])


def resident_writes(site: Site, account_code: str, openid: str, text: str) -> str:
    """Push a text message as WeChat does; return the tracking code of the case it opens.

    The webhook answers at once and the worker beside the server opens the case, so the
    code is read from the server's database once the worker has written it.
    """
    peer = demo_peer(account_code)
    now = int(time.time())
    query, body = peer.signed_request(peer.build_text(openid, text, now * 1000, now), "safe")
    request = urllib.request.Request(
        f"{site.base_url}/hooks/wechat/{account_code}/?{urlencode(query)}",
        data=body,
        headers={"Content-Type": "text/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return _tracking_code_of(site.database, openid)


def _tracking_code_of(database: Path, openid: str) -> str:
    deadline = time.monotonic() + CASE_WAIT_SECONDS
    while time.monotonic() < deadline:
        # Read-only, so the test never holds a lock the server or the worker needs. Channel
        # ids are stored encrypted and found by their index, made with the key this
        # checkout derives for its server and its tests alike.
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
            row = db.execute(CASE_OF_RESIDENT, (blind_index(openid),)).fetchone()
        if row is not None:
            found = TRACKING_CODE.fullmatch(row[0])
            assert found is not None, row[0]
            return found.group()
        time.sleep(0.2)
    raise AssertionError(f"no case opened for {openid} within {CASE_WAIT_SECONDS} s")
