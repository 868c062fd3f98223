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

from beatdesk.core.writelock import (
    MOST_REST_SECONDS,
    Arrivals,
    inbox_step,
    pause_after_each_step,
    rest_after,
    run_promptly,
)

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


def test_the_worker_rests_longer_the_faster_pushes_arrive() -> None:
    pause_after_each_step(5, yield_rate=20)
    try:
        quiet = rest_after(0.02, arrivals_per_second=0)
        at_the_yield_rate = rest_after(0.02, arrivals_per_second=20)
        in_a_burst = rest_after(0.02, arrivals_per_second=200)
        in_a_flood = rest_after(0.02, arrivals_per_second=100_000)
    finally:
        pause_after_each_step(0)

    assert quiet == pytest.approx(0.005)
    assert at_the_yield_rate == pytest.approx(0.025)
    assert in_a_burst == pytest.approx(0.205)
    assert in_a_flood == MOST_REST_SECONDS


def test_a_worker_told_not_to_yield_rests_only_its_pause() -> None:
    pause_after_each_step(5, yield_rate=0)
    try:
        in_a_burst = rest_after(0.02, arrivals_per_second=200)
    finally:
        pause_after_each_step(0)

    assert in_a_burst == pytest.approx(0.005)


def test_arrivals_are_counted_over_the_last_two_seconds_and_forgotten_after_a_quiet_spell() -> (
    None
):
    now = [100.0]
    newest = [0]
    arrivals = Arrivals(lambda: newest[0], clock=lambda: now[0])
    readings = []
    for moment, count in [(100.0, 0), (101.0, 150), (101.5, 200), (102.5, 260), (110.0, 260)]:
        now[0], newest[0] = moment, count
        readings.append(arrivals.rate())

    assert readings[:2] == [0.0, 150.0]
    assert readings[2:4] == [pytest.approx(133.3, abs=0.1), pytest.approx(73.3, abs=0.1)]
    assert readings[4] == 0.0


def test_a_step_rests_after_it_while_pushes_pour_in_and_not_while_they_do_not() -> None:
    pause_after_each_step(0, yield_rate=20)
    rising = itertools.count(step=50)
    flat = Arrivals(lambda: 7)
    pouring = Arrivals(lambda: next(rising))

    def timed_step(arrivals: Arrivals) -> float:
        began = time.monotonic()
        with inbox_step(arrivals):
            time.sleep(0.02)
        return time.monotonic() - began

    try:
        for arrivals in (flat, pouring):
            timed_step(arrivals)  # the first reading of a count says nothing yet
        calm = timed_step(flat)
        busy = timed_step(pouring)
    finally:
        pause_after_each_step(0)

    # 50 arrivals within about 20 ms is a rate in the thousands: the rest is the most.
    assert busy >= 0.02 + MOST_REST_SECONDS
    assert calm < 0.02 + MOST_REST_SECONDS / 2


def test_a_count_that_cannot_be_read_leaves_the_plain_pause() -> None:
    pause_after_each_step(10, yield_rate=20)

    def unreadable() -> int:
        raise OperationalError("database is locked")

    try:
        began = time.monotonic()
        with inbox_step(Arrivals(unreadable)):
            pass
        took = time.monotonic() - began
    finally:
        pause_after_each_step(0)

    assert 0.009 <= took < MOST_REST_SECONDS
