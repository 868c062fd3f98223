"""A queue that holds tasks, as a worker's does, for the tests of the webhook hand-off."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from huey.api import Huey
from huey.contrib.djhuey import HUEY
from huey.storage import PriorityRedisStorage

# Every queued task of one test, and then some: a test that queues more has a loop.
MOST_TASKS = 100
# Nothing listens here, so the queue is down for as long as a test points at it.
CLOSED_QUEUE = "redis://127.0.0.1:9/0"


@pytest.fixture
def held_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Huey]:
    """Queue tasks instead of running them at once; the test decides when a worker runs."""
    # A worker closes its database connection around each task; here that connection holds
    # the test's transaction, which PostgreSQL would lose (SQLite's in-memory one is kept).
    monkeypatch.setattr("huey.contrib.djhuey.close_old_connections", lambda: None)
    HUEY.immediate = False
    try:
        yield HUEY
    finally:
        HUEY.flush()
        HUEY.immediate = True


def run_queued(queue: Huey) -> int:
    """Run every task waiting in the queue, as one worker would; return how many ran."""
    ran = 0
    while ran < MOST_TASKS and (task := queue.dequeue()) is not None:
        queue.execute(task)
        ran += 1
    return ran


@contextmanager
def queue_down(queue: Huey) -> Iterator[None]:
    """Point the queue at a closed port, so that every enqueue fails as a dead Redis would."""
    working = queue.storage
    queue.storage = PriorityRedisStorage(name="beatdesk-tests-down", url=CLOSED_QUEUE)
    try:
        yield
    finally:
        queue.storage = working
