"""Replay the demo's resident messages through the real WeChat endpoint, signed and encrypted.

Two sources: messages written in residents' style (data/residents.json) and real sentences
by official media accounts about police, fraud or theft (data/cscd-police.tsv, see its
header for attribution), sent as news a resident forwards to the station asking about it.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.credentials import credentials_of
from beatdesk.channels.wechat.peer import WeChatPeer

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
NEWS_ACCOUNTS = ["wx-hz-xh-wl", "wx-hz-xh-bs", "wx-hz-ca-qd", "wx-hz-ca-wz", "wx-nb-yz-zm"]
NEWS_QUESTIONS = ["这个是真的吗？", "咱们这边也有吗", "转给你们看看，要注意点啥", "看到这个有点怕"]


@dataclass(frozen=True)
class DemoPush:
    account_code: str
    openid: str
    xml: str


@dataclass
class ReplayReport:
    sent: int = 0
    answered_with_text: int = 0
    failures: list[str] = field(default_factory=list)


def _peer(account: Account) -> WeChatPeer:
    creds = credentials_of(account)
    return WeChatPeer(creds.token, account.app_id, creds.encoding_aes_key, account.original_id)


def _build(peer: WeChatPeer, item: dict[str, Any], msg_id: int, at: int) -> str:
    openid, kind = item["openid"], item["type"]
    if kind == "text":
        return peer.build_text(openid, item["content"], msg_id, at)
    if kind == "image":
        return peer.build_image(openid, item["pic_url"], item["media_id"], msg_id, at)
    if kind == "voice":
        return peer.build_voice(openid, item["media_id"], "amr", msg_id, at, item["recognition"])
    if kind == "video":
        return peer.build_video(openid, item["media_id"], item["thumb_media_id"], msg_id, at)
    if kind == "location":
        coords = item["lat"], item["lon"], item["scale"], item["label"]
        return peer.build_location(openid, *coords, msg_id, at)
    if kind == "link":
        link = item["title"], item["description"], item["url"]
        return peer.build_link(openid, *link, msg_id, at)
    extra = (
        {
            "Latitude": item["latitude"],
            "Longitude": item["longitude"],
            "Precision": item["precision"],
        }
        if item["event"] == "LOCATION"
        else None
    )
    return peer.build_event(openid, item["event"], at, key=item.get("key"), extra=extra)


def news_lines() -> list[str]:
    """Return the attributed real sentences, skipping the header comments."""
    lines = (DATA / "cscd-police.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[1] for line in lines if line and not line.startswith("#")]


def demo_pushes(day_start: int) -> list[DemoPush]:
    """Build every demo push; CreateTime and MsgId are fixed per day, so a rerun dedupes."""
    written = json.loads((DATA / "residents.json").read_text(encoding="utf-8"))["pushes"]
    peers = {a.code: _peer(a) for a in Account.objects.filter(code__startswith="wx-")}
    pushes = []
    for index, item in enumerate(written):
        xml = _build(peers[item["account"]], item, day_start + index, day_start + index * 90)
        pushes.append(DemoPush(item["account"], item["openid"], xml))

    for index, sentence in enumerate(news_lines()):
        code = NEWS_ACCOUNTS[index % len(NEWS_ACCOUNTS)]
        openid = f"oDEMO_news_{index:03d}"
        text = f"{sentence}\n{NEWS_QUESTIONS[index % len(NEWS_QUESTIONS)]}"
        at = day_start + 3600 + index * 30
        pushes.append(DemoPush(code, openid, peers[code].build_text(openid, text, at, at)))
    return pushes


def day_start_timestamp() -> int:
    """Return 08:00 Beijing time of the latest morning whose demo pushes are all past.

    The pushes span about three hours from 08:00; before 11:00 the demo replays
    yesterday's morning, so no resident appears to write from the future. The anchor
    moves once a day, so replaying twice in a row sends identical pushes.
    """
    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime.now(shanghai)
    day = now.date() if now.time() >= time(11, 0) else now.date() - timedelta(days=1)
    return int(datetime.combine(day, time(8, 0), shanghai).timestamp())


def send_push(base_url: str, account: Account, push: DemoPush) -> bytes:
    """POST one push exactly as WeChat would and check our reply as WeChat would."""
    peer = _peer(account)
    query, body = peer.signed_request(push.xml, "safe")
    request = urllib.request.Request(  # noqa: S310 - our own base URL, http only
        f"{base_url}{account.endpoint}?{urlencode(query)}",
        data=body,
        headers={"Content-Type": "text/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        reply: bytes = response.read()
    peer.open_reply(reply, query)
    return reply


def replay(base_url: str, pushes: list[DemoPush]) -> ReplayReport:
    accounts = {a.code: a for a in Account.objects.filter(code__startswith="wx-")}
    report = ReplayReport()
    for push in pushes:
        try:
            reply = send_push(base_url, accounts[push.account_code], push)
        except (urllib.error.URLError, ValueError) as error:
            report.failures.append(f"{push.account_code}: {type(error).__name__}")
            continue
        report.sent += 1
        report.answered_with_text += reply not in (b"", b"success")
    return report
