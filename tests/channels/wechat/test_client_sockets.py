"""Sending customer-service messages leaves no socket open behind each send."""

import contextlib
import gc
import os
from pathlib import Path

import pytest

from beatdesk.channels.models import Account
from beatdesk.channels.wechat import client
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI

pytestmark = pytest.mark.django_db

SENDS = 30


def open_sockets() -> int:
    """Count this process's open sockets (Linux's /proc)."""
    count = 0
    for descriptor in Path(f"/proc/{os.getpid()}/fd").iterdir():
        # The listing's own descriptor is gone by the time it is read.
        with contextlib.suppress(FileNotFoundError):
            count += os.readlink(descriptor).startswith("socket:")
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts sockets through /proc")
def test_thirty_sends_leave_no_thirty_sockets_open(
    account: Account, fake_wechat: FakeWeChatAPI
) -> None:
    # Each resident has written, and gets one answer: the platform allows five per window.
    residents = [f"oSOCKETS{number:02d}" for number in range(SENDS + 1)]
    for openid in residents:
        fake_wechat.note_user_message(openid)
    client.send_text(account, residents[-1], "预热")
    before = open_sockets()

    # The cycle collector would free forgotten sessions at some point; a worker cannot
    # count on when, so it is kept out of the way here.
    gc.disable()
    try:
        for openid in residents[:SENDS]:
            client.send_text(account, openid, "您好，已收到")
        after = open_sockets()
    finally:
        gc.enable()

    assert after - before < 3
