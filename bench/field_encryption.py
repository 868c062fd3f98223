"""Measure what field-level encryption costs the receive path: this tree against another.

Run from the repository root, naming a checkout without the encryption (for instance
`git archive <commit> | tar -x -C /tmp/before`):

    .venv/bin/python bench/field_encryption.py --before /tmp/before
    .venv/bin/python bench/field_encryption.py --before /tmp/before --rounds 5 --pushes 300

Each round runs, in turn, one fresh process per tree; each process migrates a new SQLite
file (WAL) and posts the same WeChat pushes (safe mode, signed and AES-encrypted, texts
from the labelled message set) through Django's test client, with the inbox step run
inline as the tests do: verify, store, classify, check, open or join the case, queue the
automatic answer. The pushes come from 30 residents, so most join an open case and the
resident is found by channel id. Alternating the trees within one run keeps a busy machine
from favouring either. Reported: the median milliseconds per push of each tree, and the
ratio. Nothing leaves the process: outbound addresses point at a closed local port.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "beatdesk" / "inbox" / "classification" / "data" / "messages.tsv"
RESIDENTS = 30


def measure_here(pushes: int) -> float:
    """Post the pushes through the tree on the path; return milliseconds per push."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from beatdesk.channels.wechat.peer import WeChatPeer
    from beatdesk.units.models import UnitKind
    from tests.channels.wechat.pushes import push
    from tests.conftest import AES_KEY, APP_ID, ORIGINAL_ID, TOKEN, make_unit, make_wechat_account

    call_command("migrate", verbosity=0)
    county = make_unit("county", UnitKind.COUNTY, None)
    account = make_wechat_account(make_unit("station-a", UnitKind.STATION, county))
    peer, client = WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID), Client()
    texts = _texts(pushes)
    started = time.perf_counter()
    for number, text in enumerate(texts):
        xml = peer.build_text(f"oBENCH{number % RESIDENTS:04d}", text, msg_id=10_000 + number)
        response, _query = push(client, account, peer, xml)
        if response.status_code != 200:
            raise SystemExit(f"push {number} answered {response.status_code}")
    return (time.perf_counter() - started) * 1000 / len(texts)


def _texts(count: int) -> list[str]:
    lines = TEXTS.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    texts = [row[-1] for row in rows[1:]]
    return [texts[index % len(texts)] for index in range(count)]


def run_tree(tree: Path, pushes: int) -> float:
    """Measure in a fresh process that imports `tree`; return milliseconds per push."""
    with tempfile.TemporaryDirectory(prefix="beatdesk-bench-") as home:
        env = os.environ | {
            "PYTHONPATH": str(tree),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "BEATDESK_VAR": home,
            "DATABASE_URL": f"sqlite:///{home}/bench.sqlite3",
        }
        command = [sys.executable, __file__, "--measure", str(pushes)]
        done = subprocess.run(
            command, env=env, cwd=tree, capture_output=True, text=True, timeout=900
        )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", type=Path, help="the tree to compare this one with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(measure_here(options.measure))
        return
    if options.before is None:
        parser.error("--before is required")
    results: dict[str, list[float]] = {"before": [], "after": []}
    for round_number in range(options.rounds):
        for name, tree in (("before", options.before.resolve()), ("after", ROOT)):
            results[name].append(run_tree(tree, options.pushes))
            print(f"round {round_number + 1} {name}: {results[name][-1]:.2f} ms per push")
    before, after = (statistics.median(results[name]) for name in ("before", "after"))
    summary = {"before_ms": round(before, 2), "after_ms": round(after, 2)}
    print(json.dumps(summary | {"ratio": round(after / before, 3)}))


if __name__ == "__main__":
    main()
