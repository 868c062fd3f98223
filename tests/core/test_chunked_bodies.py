"""Behind gunicorn, a webhook body sent with Transfer-Encoding: chunked reaches the view whole.

Django alone reads a body without Content-Length as empty; beatdesk.wsgi buffers it. This
test runs the real server (`beatdesk serve`) on its own SQLite file.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from beatdesk.channels.matrix import COLUMNS
from beatdesk.channels.wechat.peer import WeChatPeer, fields

TOKEN, APP_ID, ORIGINAL_ID = "chunk-token", "wxchunk000000001", "gh_chunk0001"
AES_KEY = "ChunkedBodiesAreReadWholeByBeatdesk00000001"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _matrix(path: Path) -> Path:
    values = [
        {"record": "unit", "code": "s", "name": "Station", "kind": "station"},
        {"record": "account", "code": "wx-s", "name": "S", "channel": "wechat", "unit": "s"}
        | {"app_id": APP_ID, "original_id": ORIGINAL_ID, "token": TOKEN}
        | {"encoding_aes_key": AES_KEY},
    ]
    lines = [",".join(COLUMNS)] + [",".join(v.get(c, "") for c in COLUMNS) for v in values]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "beatdesk", *args], env=env, check=True, timeout=120)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    home = tmp_path_factory.mktemp("chunked")
    env = os.environ | {
        "BEATDESK_VAR": str(home),
        "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
    }
    _run(env, "migrate", "--verbosity", "0")
    _run(env, "import-matrix", str(_matrix(home / "matrix.csv")))
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "beatdesk",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("beatdesk serve did not start")


def _post_chunked(port: int, query: dict[str, str], body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    pieces = [body[i : i + 100] for i in range(0, len(body), 100)]
    connection.request(
        "POST",
        f"/hooks/wechat/wx-s/?{urlencode(query)}",
        body=iter(pieces),
        headers={"Content-Type": "text/xml", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    return response.status, response.read()


def test_it_reads_a_chunked_push_whole_behind_gunicorn(server: int) -> None:
    peer = WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)
    query, body = peer.signed_request(
        peer.build_text("oFAKE_A", "分块发送：救命，有人拿刀在砍人，现在还在追我", 1), "safe"
    )

    status, reply = _post_chunked(server, query, body)

    assert status == 200
    opened = peer.open_reply(reply, query)
    assert opened is not None
    assert fields(opened)["ToUserName"] == "oFAKE_A"
    assert "110" in fields(opened)["Content"]


def test_it_refuses_a_chunked_body_over_the_limit(server: int) -> None:
    peer = WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)
    query, body = peer.signed_request(peer.build_text("oFAKE_B", "长" * 30000, 2), "safe")

    status, _reply = _post_chunked(server, query, body)

    assert status == 413
