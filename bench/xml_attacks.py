"""Time and memory for each hostile XML class through the WeChat endpoint's view.

Run from the repository root:

    .venv/bin/python bench/xml_attacks.py

The attack documents are the ones tests/channels/wechat/test_xml_attacks.py sends (see
tests/channels/wechat/hostile_xml.py). Each is sent as an authentic push, inside the
encryption of a safe-mode account and as the body of an accepted plain-mode account, to
the view function itself on a fresh SQLite database. The request object is built before
measuring, so the figures are the server's own work: wall time of the view, and the peak
of memory allocated while it ran (tracemalloc; expat allocates through Python's allocator,
so its buffers count too). A listener on 127.0.0.1 counts connections the parser might
make. The report is Markdown, ready for bench/RESULTS.md.
"""

import datetime
import json
import os
import platform
import socket
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOME = tempfile.mkdtemp(prefix="beatdesk-xml-bench-")
os.environ |= {
    "BEATDESK_VAR": HOME,
    "DATABASE_URL": f"sqlite:///{HOME}/bench.sqlite3",
    "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
    "BEATDESK_WECHAT_API": "http://127.0.0.1:9",
    "BEATDESK_LOG_LEVEL": "ERROR",
}

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from beatdesk.channels.models import (  # noqa: E402
    Account,
    ChannelKind,
    InboundDelivery,
    SecurityMode,
)
from beatdesk.channels.wechat.peer import Mode, WeChatPeer  # noqa: E402
from beatdesk.channels.wechat.views import wechat_hook  # noqa: E402
from beatdesk.inbox.models import Message  # noqa: E402
from beatdesk.units.models import Role, RoleAssignment, Unit, UnitKind, User  # noqa: E402
from tests.channels.wechat.hostile_xml import CLEANED, attack_documents  # noqa: E402

TOKEN = "bench-xml-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx00benchxml0000"
ORIGINAL_ID = "gh_stationa0001"
MEGABYTE = 1024 * 1024


def make_accounts() -> tuple[Account, Account]:
    station = Unit.objects.create(code="xml-station", name="Station", kind=UnitKind.STATION)
    leader = User.objects.create_user("xml_leader", password="not used")
    RoleAssignment.objects.create(user=leader, unit=station, role=Role.LEADER)
    credentials = json.dumps({"token": TOKEN, "encoding_aes_key": AES_KEY, "app_secret": "x"})
    common = {"kind": ChannelKind.WECHAT, "unit": station, "app_id": APP_ID}
    safe = Account.objects.create(
        code="xml-safe", name="Safe", original_id=ORIGINAL_ID, credentials=credentials, **common
    )
    plain = Account.objects.create(
        code="xml-plain",
        name="Plain",
        original_id=ORIGINAL_ID,
        credentials=credentials,
        security_mode=SecurityMode.PLAIN,
        plain_mode_accepted_by=leader,
        second_account_reason="bench",
        **common,
    )
    return safe, plain


class Listener:
    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()


def measure(account: Account, query: dict[str, str], body: bytes) -> tuple[int, float, float]:
    """Return the status, the view's milliseconds and its peak allocation in MB."""
    request = RequestFactory().post(
        f"{account.endpoint}?{urlencode(query)}", data=body, content_type="text/xml"
    )
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    response: HttpResponse = wechat_hook(request, account.code)
    elapsed = (time.perf_counter() - started) * 1000
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return response.status_code, elapsed, peak / MEGABYTE


def outcome(status: int, messages_before: int, name: str) -> str:
    if status >= 500:
        return "SERVER ERROR"
    if Message.objects.count() > messages_before:
        return "cleaned, kept" if name in CLEANED else "ACCEPTED"
    if status == 200:
        return "quarantined"
    return f"refused ({status})"


def main() -> None:
    call_command("migrate", verbosity=0)
    safe, plain = make_accounts()
    listener = Listener()
    peer = WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)
    lines = [
        f"Run {datetime.datetime.now(datetime.UTC).date()} on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores; bench/xml_attacks.py",
        "",
        "| attack class | mode | outcome | ms | peak MB |",
        "| --- | --- | --- | --- | --- |",
    ]
    worst_peak, server_errors, accepted = 0.0, 0, 0
    for name, document in attack_documents(listener.port).items():
        targets: tuple[tuple[Mode, Account], ...] = (("safe", safe), ("plain", plain))
        for mode, account in targets:
            if mode == "safe" and isinstance(document, bytes):
                continue
            plain_text = document if isinstance(document, str) else "<xml></xml>"
            query, body = peer.signed_request(plain_text, mode, openid="oFAKE_A")
            if mode == "plain" and isinstance(document, bytes):
                body = document
            before = Message.objects.count()
            status, elapsed, peak = measure(account, query, body)
            result = outcome(status, before, name)
            worst_peak = max(worst_peak, peak)
            server_errors += result == "SERVER ERROR"
            accepted += result == "ACCEPTED"
            lines.append(f"| {name} | {mode} | {result} | {elapsed:.1f} | {peak:.1f} |")
    listener.stop.set()
    lines += [
        "",
        f"Server errors: {server_errors}; accepted as messages: {accepted}; connections to "
        f"the loopback listener: {listener.connections}; largest peak: {worst_peak:.1f} MB "
        f"(limit 64 MB); deliveries kept raw: {InboundDelivery.objects.count()}.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
