"""With REDIS_URL set, tasks cross processes through Redis, so workers can run anywhere.

These tests start real processes (`beatdesk worker`, `beatdesk worker --check`) on their own
SQLite file and a Redis server named by BEATDESK_TEST_REDIS_URL (its database is emptied).
.ci/run starts that server and sets BEATDESK_REQUIRE_REDIS, so there a missing server fails
the run instead of skipping these tests.
"""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core.management import call_command
from django.test import Client
from huey.contrib.djhuey import HUEY
from huey.storage import BaseStorage, PriorityRedisStorage

from beatdesk.channels.tasks import process_pushed_delivery, process_urgent_delivery
from beatdesk.core.tasks import beat
from beatdesk.core.taskstore import TaskFile


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("BEATDESK_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("BEATDESK_REQUIRE_REDIS"):
            pytest.fail("BEATDESK_REQUIRE_REDIS is set but BEATDESK_TEST_REDIS_URL is not")
        pytest.skip("no Redis server: set BEATDESK_TEST_REDIS_URL to run these tests")
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def home(tmp_path: Path, redis_url: str) -> Iterator[dict[str, str]]:
    env = os.environ | {
        "BEATDESK_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
        "REDIS_URL": redis_url,
    }
    subprocess.run(
        [sys.executable, "-m", "beatdesk", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        timeout=120,
    )
    yield env


def _check(env: dict[str, str], timeout: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beatdesk", "worker", "--check", "--timeout", timeout],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_a_task_enqueued_by_one_process_is_run_by_a_worker_process_through_redis(
    home: dict[str, str], tmp_path: Path
) -> None:
    worker = subprocess.Popen([sys.executable, "-m", "beatdesk", "worker"], env=home)
    try:
        result = _check(home, "60")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert result.returncode == 0, result.stderr
    assert "PriorityRedisHuey" in result.stdout
    assert not (tmp_path / "huey.sqlite3").exists()


def test_the_worker_check_fails_clearly_when_no_worker_consumes_the_queue(
    home: dict[str, str],
) -> None:
    result = _check(home, "2")

    assert result.returncode == 1
    assert "no worker answered through PriorityRedisHuey within 2s" in result.stderr


def test_the_worker_check_passes_in_process_when_tasks_run_immediately(db: None) -> None:
    call_command("worker", check=True, timeout=1)


def test_the_health_endpoint_reports_how_long_ago_a_worker_beat(db: None) -> None:
    assert Client().get("/healthz").json() == {"status": "ok", "worker_seconds_ago": None}

    beat()

    assert Client().get("/healthz").json() == {"status": "ok", "worker_seconds_ago": 0}


@pytest.mark.parametrize("store", ["task file", "redis"])
def test_an_emergency_step_leaves_the_queue_before_the_pushes_already_waiting(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if store == "redis":
        storage: BaseStorage = PriorityRedisStorage(
            name="beatdesk-priority", url=request.getfixturevalue("redis_url")
        )
    else:
        storage = TaskFile(name="beatdesk-priority", filename=str(tmp_path / "huey.sqlite3"))
    working, HUEY.storage, HUEY.immediate = HUEY.storage, storage, False
    try:
        for delivery_id in (1, 2, 3):
            process_pushed_delivery(delivery_id)
        process_urgent_delivery(4)
        process_pushed_delivery(5)

        order = [HUEY.dequeue() for _ in range(5)]
    finally:
        HUEY.storage, HUEY.immediate = working, True

    assert [(task.name, task.args) for task in order if task is not None] == [
        ("process_urgent_delivery", (4,)),
        ("process_pushed_delivery", (1,)),
        ("process_pushed_delivery", (2,)),
        ("process_pushed_delivery", (3,)),
        ("process_pushed_delivery", (5,)),
    ]
