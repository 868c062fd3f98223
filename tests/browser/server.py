"""Run the real Beatdesk server and its worker, loaded with the demo, on its own SQLite file.

The browser drives `beatdesk serve` exactly as an operator starts it, with `beatdesk worker`
beside it so that jobs (a matrix import) really run in the worker. The database is filled
by `beatdesk demo --no-serve`, which migrates, imports the demo matrix, replays the recorded
WeChat pushes through the endpoint and answers a few cases.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DEMO_PASSWORD = "beatdesk-demo"
# The officer of 文澜派出所 (hz-xh-wl), whose station's account is wx-hz-xh-wl.
OFFICER = "officer1"
OFFICER_UNIT = "hz-xh-wl"
# The account operator of 杭州市公安局 (hz), who imports matrix files for the city.
OPERATOR = "operator1"

# Run inside `beatdesk shell`: the tracking code and text of a case the demo answered.
ANSWERED_CASE_QUERY = f"""
import json
from beatdesk.inbox.models import Direction, Message
answer = (
    Message.objects.filter(
        direction=Direction.OUTBOUND, is_automatic=False, case__unit__code="{OFFICER_UNIT}"
    )
    .select_related("case")
    .order_by("pk")
    .first()
)
print(json.dumps({{"tracking_code": answer.case.tracking_code, "text": answer.text}}))
"""


# Run inside `beatdesk shell`: every demo user's sign-in key, which the demo printed.
SIGN_IN_KEYS_QUERY = """
import json
from beatdesk.units.models import SecondFactor
keys = SecondFactor.objects.filter(confirmed_at__isnull=False).select_related("user")
print(json.dumps({factor.user.username: str(factor.secret) for factor in keys}))
"""


@dataclass(frozen=True)
class AnsweredCase:
    tracking_code: str
    text: str


@dataclass(frozen=True)
class Site:
    base_url: str
    answered: AnsweredCase
    log: Path
    database: Path

    @property
    def netloc(self) -> str:
        return self.base_url.removeprefix("http://")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(home: Path, base_url: str) -> dict[str, str]:
    # The worker relays answers and polls platforms; every platform address is a closed
    # port on this machine, so whatever it tries to send never leaves it.
    closed = f"http://127.0.0.1:{free_port()}"
    env = os.environ | {
        "BEATDESK_VAR": str(home),
        "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
        "BEATDESK_PUBLIC_URL": base_url,
        "BEATDESK_WECHAT_API": closed,
        "BEATDESK_WEIBO_API": closed,
        "BEATDESK_WEIBO_MESSAGES_API": closed,
        "BEATDESK_QQBOT_API": closed,
        "BEATDESK_QQBOT_TOKEN_URL": f"{closed}/token",
        "BEATDESK_LOG_LEVEL": "WARNING",
    }
    # A developer's Redis must not receive this server's tasks.
    env.pop("REDIS_URL", None)
    return env


def run_beatdesk(env: dict[str, str], log: Path, *args: str) -> str:
    """Run one `beatdesk` command to the end and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "beatdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ beatdesk {' '.join(args[:2])}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise AssertionError(f"beatdesk {args[0]} failed; see {log}:\n{done.stderr[-2000:]}")
    return done.stdout


def load_demo(env: dict[str, str], log: Path) -> AnsweredCase:
    run_beatdesk(env, log, "demo", "--no-serve")
    printed = run_beatdesk(env, log, "shell", "--no-imports", "-c", ANSWERED_CASE_QUERY)
    facts = json.loads(printed.strip().splitlines()[-1])
    return AnsweredCase(tracking_code=facts["tracking_code"], text=facts["text"])


def sign_in_keys(env: dict[str, str], log: Path) -> dict[str, str]:
    printed = run_beatdesk(env, log, "shell", "--no-imports", "-c", SIGN_IN_KEYS_QUERY)
    keys: dict[str, str] = json.loads(printed.strip().splitlines()[-1])
    return keys


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "beatdesk", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `beatdesk worker` on the server's database and task store."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "beatdesk", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until_serving(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"beatdesk serve did not answer; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
