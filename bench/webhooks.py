"""Measure inbound webhook throughput and latency against a bare echo handler, in one run.

Run from the repository root:

    .venv/bin/python bench/webhooks.py            # the full run, about four minutes
    .venv/bin/python bench/webhooks.py --quick    # a smoke run of under a minute

Each target is served by gunicorn with the same worker count, bound to 127.0.0.1 on a free
port: the echo handler reads the body and answers "success"; the WeChat and OneBot
webhooks verify, store the raw bytes, commit, run the emergency rules and queue the inbox
step before they answer, exactly as in production. Beside gunicorn runs `beatdesk worker`
on the same cores, as in production, and does the inbox step (a case is opened or joined,
the automatic answer queued and tried); after the loads the bench waits for it to drain
the queue and reports how long that took. The database is a fresh SQLite file in WAL mode
with synchronous FULL, or PostgreSQL when DATABASE_URL names one (its tables are created
afresh; use a throwaway database); the queue is Huey's SQLite file beside it.

Two loads per target:
- closed loop: a fixed number of requests from a few concurrent clients as fast as the
  server answers, giving requests per second and latency percentiles;
- paced: a fixed request rate for a fixed time (issue 6 asks for 200 a second for 60
  seconds with p99 under 300 ms). Latency is measured from the moment each request was
  due, not when a client got round to sending it, so a stalled server cannot hide its
  queue (coordinated omission).

With `--baseline DIR` (an older checkout, e.g. from `git archive`) it instead compares the
two: WeChat paced runs of each in turn with their own workers, the drain afterwards, and
the inbox step timed alone; see bench/README.md.

Resident texts come from the labelled message set in the repository. No request leaves
127.0.0.1: the accounts' outbound API addresses point at a closed local port.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from beatdesk.channels.onebot.peer import OneBotPeer, encode, signature  # noqa: E402
from beatdesk.channels.wechat.peer import WeChatPeer  # noqa: E402
from beatdesk.inbox.classification import detect_emergency  # noqa: E402
from beatdesk.inbox.classification.dataset import load_labelled_set  # noqa: E402

TOKEN = "bench-wechat-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx00bench0000000"
ORIGINAL_ID = "gh_bench000001"
BOT_QQ = 30001
ONEBOT_SECRET = "bench-onebot-secret"
CLOSED_PORT_URL = "http://127.0.0.1:9"
START_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30
# A paced run may fall behind; past this many seconds of lag it stops rather than run on.
MAX_LAG_SECONDS = 30.0
# Enough senders that a 300 ms answer at 200 requests a second never leaves one due unsent.
PACED_THREADS = 64
# The worker must finish the queue within this; a bench that waits longer stops and says so.
MAX_DRAIN_SECONDS = 1200.0
DRAIN_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: dict[str, str]
    # Whether the webhook's rules call its text an emergency: its inbox step goes first in
    # the worker, and its latency is reported apart as well.
    urgent: bool = False


@dataclass
class Outcome:
    latencies: list[float]
    failures: int
    seconds: float
    urgent: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies) + self.failures

    def percentile(self, share: float) -> float:
        return percentile(self.latencies, share)


def percentile(latencies: Sequence[float], share: float) -> float:
    if not latencies:
        return float("nan")
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# Requests, built before any timing starts so the client's own work stays out of the figures.


def resident_texts(emergency_share: float | None = None) -> list[str]:
    """Residents' texts in a fixed order; emergencies at `emergency_share`, if given.

    The labelled set was written to test the classifier, so one text in eight is an
    emergency by the webhook's own rules; real traffic has far fewer, and each emergency's
    inbox step goes ahead of the worker's queue. Given a share, the ordinary texts are kept
    in order and emergency texts are spaced evenly among them at that share.
    """
    texts = [message.text for message in load_labelled_set() if message.text.strip()]
    if emergency_share is None:
        return texts
    urgent = [text for text in texts if detect_emergency(text, model=None).is_emergency]
    calm = [text for text in texts if text not in set(urgent)]
    wanted = round(len(calm) * emergency_share / (1 - emergency_share))
    if wanted == 0:
        return calm
    spacing = max(1, len(calm) // wanted)
    stream: list[str] = []
    placed = 0
    for number, text in enumerate(calm, start=1):
        stream.append(text)
        if number % spacing == 0 and placed < wanted:
            stream.append(urgent[placed % len(urgent)])
            placed += 1
    return stream


def urgent_texts(texts: Sequence[str]) -> set[str]:
    return {text for text in texts if detect_emergency(text, model=None).is_emergency}


def wechat_requests(count: int, texts: Sequence[str], code: str) -> list[Request]:
    peer = WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)
    urgent = urgent_texts(texts)
    requests = []
    for number in range(count):
        # A few hundred residents, each writing several times, as on a busy evening.
        openid = f"oBENCH{number % 400:06d}"
        text = texts[number % len(texts)]
        xml = peer.build_text(openid, text, msg_id=7_000_000 + number)
        query, body = peer.signed_request(xml, mode="safe", nonce=f"{number:010d}")
        headers = {"Content-Type": "text/xml"}
        path = f"/hooks/wechat/{code}/?{urlencode(query)}"
        requests.append(Request(path, body, headers, text in urgent))
    return requests


def onebot_requests(count: int, texts: Sequence[str], code: str) -> list[Request]:
    peer = OneBotPeer(BOT_QQ, ONEBOT_SECRET)
    urgent = urgent_texts(texts)
    requests = []
    for number in range(count):
        user = 10_000_000 + number % 400
        text = texts[number % len(texts)]
        event = peer.private_message(user, text, message_id=900_000 + number)
        body = encode(event)
        headers = {
            "content-type": "application/json",
            "x-signature": signature(ONEBOT_SECRET, body),
            "x-self-id": str(BOT_QQ),
        }
        requests.append(Request(f"/hooks/onebot/{code}/", body, headers, text in urgent))
    return requests


def echo_requests(count: int, texts: Sequence[str]) -> list[Request]:
    # The same bodies the WeChat target gets, so both read the same number of bytes.
    return [
        Request("/echo/", request.body, request.headers, request.urgent)
        for request in wechat_requests(count, texts, "echo")
    ]


# Sending.


def send(port: int, request: Request) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request("POST", request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        response.read()
        # OneBot answers 204 when it has no quick reply; every 2xx is an acknowledgement.
        return 200 <= response.status < 300
    except OSError:
        return False
    finally:
        connection.close()


def closed_loop(port: int, requests: Sequence[Request], concurrency: int) -> Outcome:
    """Send every request once from `concurrency` clients, each waiting for its answer."""
    latencies: list[float] = []
    urgent: list[float] = []
    failures = 0
    lock = threading.Lock()
    cursor = iter(range(len(requests)))

    def client() -> None:
        nonlocal failures
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            started = time.perf_counter()
            ok = send(port, requests[index])
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                    if requests[index].urgent:
                        urgent.append(elapsed)
                else:
                    failures += 1

    began = time.perf_counter()
    _run_threads(client, concurrency)
    return Outcome(latencies, failures, time.perf_counter() - began, urgent)


def paced(port: int, requests: Sequence[Request], rate: float, threads: int) -> Outcome:
    """Send request i at start + i / rate; latency counts from when it was due."""
    latencies: list[float] = []
    urgent: list[float] = []
    failures = 0
    lock = threading.Lock()
    cursor = iter(range(len(requests)))
    began = time.perf_counter() + 0.2

    def client() -> None:
        nonlocal failures
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            due = began + index / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            elif -wait > MAX_LAG_SECONDS:
                with lock:
                    failures += 1
                continue
            ok = send(port, requests[index])
            elapsed = time.perf_counter() - due
            with lock:
                if ok:
                    latencies.append(elapsed)
                    if requests[index].urgent:
                        urgent.append(elapsed)
                else:
                    failures += 1

    _run_threads(client, threads)
    return Outcome(latencies, failures, time.perf_counter() - began, urgent)


def _run_threads(target: Callable[[], None], count: int) -> None:
    workers = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


# The servers.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start listening in time")


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int) -> Iterator[int]:
    """Serve a WSGI app with gunicorn's defaults as `beatdesk serve` sets them; yield the port."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", str(workers), "--timeout", "30", "--log-level", "warning"]
    process = subprocess.Popen(argv, env=env, cwd=tree_of(env))
    try:
        wait_until_listening(port, process)
        yield port
    finally:
        stop(process)


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `beatdesk worker` beside the server, as production does; stop it afterwards."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "beatdesk", "worker"],
            env=env,
            cwd=tree_of(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a process to end, and kill it if it has not within 30 seconds."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def waiting_deliveries(env: dict[str, str]) -> int:
    """Return how many stored pushes still wait for the inbox step."""
    sql = "SELECT COUNT(*) FROM channels_inbounddelivery WHERE status = 'received'"
    database_url = env["DATABASE_URL"]
    if database_url.startswith("sqlite:///"):
        # Read directly: a `beatdesk shell` per poll would take the worker's CPU.
        path = database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return int(db.execute(sql).fetchone()[0])
    script = (
        "from django.db import connection; cursor = connection.cursor(); "
        f"cursor.execute({sql!r}); print(cursor.fetchone()[0])"
    )
    return int(_shell(env, script).splitlines()[-1])


def wait_for_drain(env: dict[str, str]) -> float:
    """Wait until the worker has handled every stored push; return the seconds it took."""
    began = time.perf_counter()
    while waiting_deliveries(env):
        if time.perf_counter() - began > MAX_DRAIN_SECONDS:
            raise RuntimeError(f"the worker did not drain the queue in {MAX_DRAIN_SECONDS:.0f} s")
        time.sleep(DRAIN_POLL_SECONDS)
    return time.perf_counter() - began


def tree_of(env: dict[str, str]) -> Path:
    """Return the checkout whose code the servers of this environment run."""
    return Path(env["PYTHONPATH"])


def environment(home: Path, tree: Path = ROOT) -> dict[str, str]:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{home / 'bench.sqlite3'}"
    # The queue is Huey's SQLite file in `home`; a developer's Redis must not get the tasks.
    inherited = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    return inherited | {
        "BEATDESK_VAR": str(home),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
        "BEATDESK_WECHAT_API": CLOSED_PORT_URL,
        "BEATDESK_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(tree),
    }


def prepare_database(env: dict[str, str]) -> tuple[str, str]:
    """Create the tables and one station with a WeChat and a QQ account; return their codes."""
    script = f"""
import json
from django.core.management import call_command
call_command("flush", interactive=False, verbosity=0)
from beatdesk.channels.models import Account, ChannelKind, SecurityMode
from beatdesk.units.models import Unit, UnitKind
station = Unit.objects.create(
    code="bench-station", name="Bench station", kind=UnitKind.STATION,
    contact_phone="0571-00000000", office_hours="8:30-17:30", address="Bench road 1",
)
Account.objects.create(
    code="bench-wechat", kind=ChannelKind.WECHAT, name="Bench WeChat", unit=station,
    app_id={APP_ID!r}, original_id={ORIGINAL_ID!r}, security_mode=SecurityMode.SAFE,
    credentials=json.dumps({{"token": {TOKEN!r}, "encoding_aes_key": {AES_KEY!r},
                             "app_secret": "unused"}}),
)
Account.objects.create(
    code="bench-qq", kind=ChannelKind.ONEBOT, name="Bench QQ", unit=station,
    app_id={str(BOT_QQ)!r},
    credentials=json.dumps({{"api_base_url": {CLOSED_PORT_URL!r}, "access_token": "unused",
                             "secret": {ONEBOT_SECRET!r}}}),
)
"""
    beatdesk = [sys.executable, "-m", "beatdesk"]
    subprocess.run(
        [*beatdesk, "migrate", "--verbosity", "0"], env=env, check=True, cwd=tree_of(env)
    )
    subprocess.run([*beatdesk, "shell", "-c", script], env=env, check=True, cwd=tree_of(env))
    return "bench-wechat", "bench-qq"


def count_stored(env: dict[str, str]) -> str:
    script = (
        "from beatdesk.channels.models import InboundDelivery as D, OutboxMessage as O;"
        "from beatdesk.inbox.models import Case, Direction, Message;"
        "inbound = Message.objects.filter(direction=Direction.INBOUND);"
        "once = inbound.values('delivery').distinct().count();"
        "done = D.objects.filter(status='processed').count();"
        "auto = O.objects.filter(idempotency_key__startswith='auto-reply:').count();"
        "print(D.objects.count(), done, inbound.count(), once, Case.objects.count(), auto)"
    )
    return _shell(env, script).splitlines()[-1]


def _shell(env: dict[str, str], script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "beatdesk", "shell", "-c", script],
        env=env,
        check=True,
        cwd=tree_of(env),
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


# The report.


def row(name: str, load: str, outcome: Outcome) -> str:
    rate = len(outcome.latencies) / outcome.seconds if outcome.seconds else 0.0
    p50 = outcome.percentile(0.50) * 1000
    p99 = outcome.percentile(0.99) * 1000
    mean = statistics.fmean(outcome.latencies) * 1000 if outcome.latencies else float("nan")
    return (
        f"| {name} | {load} | {outcome.count} | {outcome.failures} | {rate:.0f} "
        f"| {p50:.1f} | {p99:.1f} | {mean:.1f} |"
    )


def split_row(name: str, load: str, outcome: Outcome) -> str:
    """Report emergencies and ordinary pushes apart: an emergency's step jumps the queue."""
    urgent = sorted(outcome.urgent)
    others = sorted(set_difference(outcome.latencies, urgent))
    figures = [
        f"{percentile(part, share) * 1000:.1f}"
        for part in (urgent, others)
        for share in (0.5, 0.99)
    ]
    return f"| {name} | {load} | {len(urgent)} | {' | '.join(figures)} |"


def set_difference(values: Sequence[float], removed: Sequence[float]) -> list[float]:
    """Return `values` without one occurrence of each of `removed` (a multiset difference)."""
    left = Counter(values)
    left.subtract(removed)
    return list(left.elements())


# Before and after: two checkouts in one run.
#
# The machine is shared, so figures from runs an hour apart do not compare; this mode runs
# an older checkout (`git archive <commit> | tar -x -C DIR`) and this one in turn, in
# alternating order, each with its own worker beside gunicorn, and reports the ratios.

STEP_SCRIPT = r"""
import json, statistics, time
from django.db import connection
from beatdesk.channels.models import InboundDelivery
from beatdesk.channels.registry import adapter_for

waiting = InboundDelivery.objects.filter(status="received").select_related("account")
steps = list(waiting.order_by("pk"))
warm, measured = steps[:WARM_STEPS], steps[WARM_STEPS:]
for delivery in warm:
    adapter_for(delivery.account.kind).process_delivery(delivery)

state = {"queries": 0, "began": None}
held = []

def counting(execute, sql, params, many, context):
    state["queries"] += 1
    if sql.startswith("BEGIN"):
        state["began"] = time.perf_counter()
    return execute(sql, params, many, context)

commit = connection.commit

def timed_commit():
    commit()
    if state["began"] is not None:
        held.append((time.perf_counter() - state["began"]) * 1000)
        state["began"] = None

connection.commit = timed_commit
cpu, wall = time.process_time(), time.perf_counter()
with connection.execute_wrapper(counting):
    for delivery in measured:
        adapter_for(delivery.account.kind).process_delivery(delivery)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
count = len(measured)
held.sort()
print(json.dumps({
    "steps": count,
    "queries": state["queries"] / count,
    "cpu_ms": cpu / count * 1000,
    "wall_ms": wall / count * 1000,
    "held_p50": held[len(held) // 2] if held else None,
    "held_p99": held[min(len(held) - 1, int(len(held) * 0.99))] if held else None,
}))
"""
WARM_STEPS = 20


@dataclass(frozen=True)
class Run:
    tree: str
    outcome: Outcome
    drain_seconds: float


def paced_with_worker(tree: Path, texts: Sequence[str], options: argparse.Namespace) -> Run:
    """Serve one checkout with its worker, pace WeChat pushes at it, and time the drain."""
    count = int(options.rate * options.seconds)
    with tempfile.TemporaryDirectory(prefix="beatdesk-bench-") as directory:
        env = environment(Path(directory), tree)
        wechat_code, _onebot_code = prepare_database(env)
        requests = wechat_requests(count + 1, texts, wechat_code)
        with contextlib.ExitStack() as stack:
            stack.enter_context(worker(env, Path(directory) / "worker.log"))
            port = stack.enter_context(gunicorn("beatdesk.wsgi:application", env, options.workers))
            send(port, requests[0])  # warm the workers' imports and connections
            outcome = paced(port, requests[1:], options.rate, PACED_THREADS)
            drain = wait_for_drain(env)
    return Run(str(tree), outcome, drain)


def inbox_step_alone(tree: Path, texts: Sequence[str], count: int) -> dict[str, float | None]:
    """Store pushes with no worker running, then run their inbox steps in one process."""
    with tempfile.TemporaryDirectory(prefix="beatdesk-bench-") as directory:
        env = environment(Path(directory), tree)
        wechat_code, _onebot_code = prepare_database(env)
        requests = wechat_requests(count + WARM_STEPS, texts, wechat_code)
        with gunicorn("beatdesk.wsgi:application", env, 2) as port:
            closed_loop(port, requests, 4)
        script = STEP_SCRIPT.replace("WARM_STEPS", str(WARM_STEPS))
        figures: dict[str, float | None] = json.loads(_shell(env, script).splitlines()[-1])
    return figures


def compare_row(label: str, run: Run) -> str:
    outcome = run.outcome
    urgent = f"{percentile(outcome.urgent, 0.99) * 1000:.1f}"
    return f"{row(label, 'paced', outcome)} {urgent} | {run.drain_seconds:.0f} |"


def mix(texts: Sequence[str]) -> str:
    """Say how many of the texts sent are emergencies by the webhook's rules."""
    urgent = sum(detect_emergency(text, model=None).is_emergency for text in texts)
    return f"{urgent} of every {len(texts)} texts ({urgent / len(texts):.1%}) are emergencies"


def ratio(after: float, before: float) -> str:
    return f"{after / before:.2f}" if before else "n/a"


def compare(options: argparse.Namespace, baseline: Path) -> list[str]:
    """Run the older checkout and this one in turn; return the report's lines."""
    texts = resident_texts(options.emergency_share)
    trees = [("before", baseline.resolve()), ("after", ROOT)]
    lines = [
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; database: "
        f"{'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}; before = "
        f"{baseline}; WeChat safe-mode pushes paced at {options.rate:.0f}/s for "
        f"{options.seconds:.0f} s with `beatdesk worker` running; {mix(texts)}. Latencies in ms.",
        "",
        "| checkout, round | load | requests | failed | answered/s | p50 | p99 | mean "
        "| emergencies' p99 | drain s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    runs: dict[tuple[str, int], Run] = {}
    for round_number in range(1, options.rounds + 1):
        # Alternate the order, so a machine that grows busier does not favour one side.
        order = trees if round_number % 2 else trees[::-1]
        for name, tree in order:
            run = paced_with_worker(tree, texts, options)
            runs[(name, round_number)] = run
            lines.append(compare_row(f"{name}, round {round_number}", run))
            print(lines[-1], file=sys.stderr)
    lines.append("")
    for round_number in range(1, options.rounds + 1):
        before, after = runs[("before", round_number)], runs[("after", round_number)]
        lines.append(
            f"Round {round_number}, after/before: p50 "
            f"{ratio(after.outcome.percentile(0.5), before.outcome.percentile(0.5))}, p99 "
            f"{ratio(after.outcome.percentile(0.99), before.outcome.percentile(0.99))}, "
            f"drain {ratio(after.drain_seconds, before.drain_seconds)}."
        )
    lines += ["", "The inbox step alone, with no webhook load (per step):", ""]
    lines += ["| checkout | steps | queries | CPU ms | wall ms | transaction p50 ms | p99 ms |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- |"]
    for name, tree in trees:
        step = inbox_step_alone(tree, texts, options.steps)
        held = [
            f"{value:.1f}" if value is not None else "n/a"
            for value in (step["held_p50"], step["held_p99"])
        ]
        lines.append(
            f"| {name} | {step['steps']:.0f} | {step['queries']:.1f} | {step['cpu_ms']:.1f} "
            f"| {step['wall_ms']:.1f} | {held[0]} | {held[1]} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of under a minute")
    parser.add_argument("--requests", type=int, default=3000, help="closed-loop requests")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=200.0, help="paced requests a second")
    parser.add_argument("--seconds", type=float, default=60.0, help="paced run length")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout to compare with this one (WeChat paced runs only)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="before/after rounds to run")
    parser.add_argument("--steps", type=int, default=300, help="inbox steps timed alone")
    parser.add_argument(
        "--emergency-share",
        type=float,
        default=0.02,
        help="share of pushes that are emergencies, 0 to 0.5 (default 0.02)",
    )
    parser.add_argument(
        "--labelled-mix",
        action="store_true",
        help="send the labelled set as it is (one emergency in eight) instead",
    )
    options = parser.parse_args()
    if options.labelled_mix:
        options.emergency_share = None
    elif not 0 <= options.emergency_share <= 0.5:
        parser.error("--emergency-share must be between 0 and 0.5")
    if options.quick:
        options.requests, options.seconds, options.steps = 400, 5.0, 60
    if options.baseline:
        print("\n".join(compare(options, options.baseline)))
        return

    texts = resident_texts(options.emergency_share)
    paced_count = int(options.rate * options.seconds)
    total = options.requests + paced_count
    lines = [
        f"Run {datetime.datetime.now(datetime.UTC).date()} on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores; gunicorn sync workers: "
        f"{options.workers}; closed loop: {options.requests} requests from "
        f"{options.concurrency} clients; paced: {options.rate:.0f}/s for "
        f"{options.seconds:.0f} s; {mix(texts)}. Latencies in ms.",
        "",
        "| target | load | requests | failed | answered/s | p50 | p99 | mean |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    with tempfile.TemporaryDirectory(prefix="beatdesk-bench-") as directory:
        started = time.perf_counter()
        env = environment(Path(directory))
        wechat_code, onebot_code = prepare_database(env)
        echo = echo_requests(total, texts)
        print(f"prepared after {time.perf_counter() - started:.0f} s", file=sys.stderr)
        product = "beatdesk.wsgi:application"
        targets = [
            ("echo", "bench.echo_app:application", echo),
            ("WeChat (safe mode)", product, wechat_requests(total, texts, wechat_code)),
            ("OneBot", product, onebot_requests(total, texts, onebot_code)),
        ]
        drains, splits = [], []
        for name, app, requests in targets:
            with contextlib.ExitStack() as stack:
                if app == product:
                    stack.enter_context(worker(env, Path(directory) / "worker.log"))
                port = stack.enter_context(gunicorn(app, env, options.workers))
                send(port, requests[0])  # warm the workers' imports and connections
                closed = closed_loop(port, requests[1 : options.requests], options.concurrency)
                lines.append(row(name, "closed", closed))
                tail = requests[options.requests :]
                steady = paced(port, tail, options.rate, PACED_THREADS)
                lines.append(row(name, f"{options.rate:.0f}/s", steady))
                if app == product:
                    splits.append(split_row(name, "closed", closed))
                    splits.append(split_row(name, f"{options.rate:.0f}/s", steady))
                    drains.append(f"{name}: {wait_for_drain(env):.0f} s")
            print(f"{name} done after {time.perf_counter() - started:.0f} s", file=sys.stderr)
        stored = count_stored(env)

    deliveries, processed, messages, distinct, cases, answers = stored.split()
    lines += [
        "",
        "Emergencies, whose inbox step jumps the worker's queue, and the other pushes apart:",
        "",
        "| target | load | emergencies | their p50 | their p99 | others' p50 | others' p99 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *splits,
        "",
        f"The worker drained the queue after the last request in: {'; '.join(drains)}.",
        f"Stored afterwards: {deliveries} deliveries ({processed} handled by the worker), "
        f"{messages} inbox messages from {distinct} distinct deliveries, {cases} cases, "
        f"{answers} automatic answers queued in the outbox.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
