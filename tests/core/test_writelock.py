"""A webhook takes SQLite's write lock promptly; the worker runs one inbox step at a time.

The test database lives in memory, where SQLite locks differently, so these tests open a
SQLite file of their own: another connection holds its write lock as the worker would.
"""

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker

from beatdesk.core.writelock import inbox_step, pause_after_each_step, run_promptly

# Long enough that SQLite's own busy handler sleeps 25 to 100 ms at a time by the end.
WORKER_HOLDS_SECONDS = 0.3


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: DjangoDbBlocker) -> Iterator[BaseDatabaseWrapper]:
    """A Django connection to a fresh SQLite file, set up as Beatdesk sets up its own."""
    path = tmp_path / "lock.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE delivery (id INTEGER PRIMARY KEY)")
    options = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    own = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}
    handler = ConnectionHandler({"default": own})
    wrapper: BaseDatabaseWrapper = handler["default"]
    # The file is the test's own, not the test database that pytest-django guards.
    with django_db_blocker.unblock():
        try:
            yield wrapper
        finally:
            wrapper.close()


def hold_write_lock(path: str, seconds: float, taken: threading.Event) -> None:
    """Hold the file's write lock for a while, as a worker transaction would."""
    with sqlite3.connect(path, isolation_level=None) as holder:
        holder.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        holder.execute("COMMIT")


def insert_through(database: BaseDatabaseWrapper, tries: list[float]) -> None:
    tries.append(time.monotonic())
    with database.cursor() as cursor:
        cursor.execute("INSERT INTO delivery DEFAULT VALUES")


def busy_timeout(database: BaseDatabaseWrapper) -> int:
    with database.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        return int(cursor.fetchone()[0])


def test_a_webhook_write_asks_again_every_few_milliseconds_while_the_worker_writes(
    database: BaseDatabaseWrapper,
) -> None:
    taken = threading.Event()
    path = str(database.settings_dict["NAME"])
    worker = threading.Thread(target=hold_write_lock, args=(path, WORKER_HOLDS_SECONDS, taken))
    worker.start()
    taken.wait(5)
    tries: list[float] = []

    run_promptly(lambda: insert_through(database, tries), database)
    worker.join()

    # SQLite's own handler would have asked about a dozen times, with gaps up to 100 ms.
    assert len(tries) > 20
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    assert sorted(gaps)[len(gaps) // 2] < 0.02
    with database.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM delivery")
        assert cursor.fetchone()[0] == 1


def test_the_connection_keeps_its_patient_timeout_for_every_other_write(
    database: BaseDatabaseWrapper,
) -> None:
    run_promptly(lambda: insert_through(database, []), database)

    assert busy_timeout(database) == 30_000


def test_a_webhook_write_gives_up_after_the_configured_timeout_and_writes_nothing(
    database: BaseDatabaseWrapper,
) -> None:
    database.settings_dict["OPTIONS"]["timeout"] = 0.1
    taken = threading.Event()
    path = str(database.settings_dict["NAME"])
    worker = threading.Thread(target=hold_write_lock, args=(path, 1.0, taken))
    worker.start()
    taken.wait(5)

    with pytest.raises(OperationalError, match="locked"):
        run_promptly(lambda: insert_through(database, []), database)
    worker.join()

    assert busy_timeout(database) == 100
    with database.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM delivery")
        assert cursor.fetchone()[0] == 0


def test_a_write_that_fails_for_another_reason_is_not_tried_again(
    database: BaseDatabaseWrapper,
) -> None:
    tries: list[float] = []

    def broken() -> None:
        tries.append(time.monotonic())
        with database.cursor() as cursor:
            cursor.execute("INSERT INTO no_such_table DEFAULT VALUES")

    with pytest.raises(OperationalError, match="no such table"):
        run_promptly(broken, database)

    assert len(tries) == 1


def test_two_worker_threads_never_run_inbox_steps_at_once_and_rest_between_them() -> None:
    pause_after_each_step(20)
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()

    def step() -> None:
        with inbox_step():
            began = time.monotonic()
            time.sleep(0.01)
            with lock:
                spans.append((began, time.monotonic()))

    try:
        threads = [threading.Thread(target=step) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pause_after_each_step(0)

    spans.sort()
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.019


def test_a_step_run_outside_the_worker_does_not_rest() -> None:
    began = time.monotonic()
    for _ in range(20):
        with inbox_step():
            pass

    assert time.monotonic() - began < 0.1
