"""The worker gives way to the webhooks: it lowers its own CPU priority, within sane limits.

One test starts a real `beatdesk worker` on its own SQLite file and reads its priority
from the kernel; the others show that a nonsensical choice is refused before anything runs.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

# How long a worker may take to import Django and start its consumer on a busy machine.
START_SECONDS = 60


@pytest.fixture
def home(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = os.environ | {
        "BEATDESK_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
        "BEATDESK_WORKER_NICE": "7",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "beatdesk", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        timeout=120,
    )
    yield env


def niceness_of(pid: int) -> int:
    # Field 19 of /proc/<pid>/stat, counted after the command name in brackets.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def logged_start(log: Path) -> bool:
    return log.exists() and "worker starting" in log.read_text()


def test_a_started_worker_runs_at_the_lower_priority_it_was_configured_with(
    home: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "beatdesk", "worker"],
            env=home,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not logged_start(log) and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert logged_start(log), log.read_text()
        niceness = niceness_of(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert niceness == os.nice(0) + 7
    assert "nice=7 pause_ms=5 yield_rate=20 threads=2" in log.read_text()


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"nice": 20}, "nice value must be 0 to 19"),
        ({"nice": -1}, "nice value must be 0 to 19"),
        ({"pause_ms": -5}, "cannot be negative"),
        ({"yield_rate": -1}, "yield rate cannot be negative"),
        ({"threads": 0}, "at least one thread"),
    ],
)
def test_the_worker_refuses_a_choice_that_makes_no_sense_and_starts_nothing(
    options: dict[str, int], problem: str
) -> None:
    before = os.nice(0)

    with pytest.raises(CommandError, match=problem):
        call_command("worker", **options)

    assert os.nice(0) == before
