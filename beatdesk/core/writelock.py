"""SQLite's one write lock: taken promptly by webhooks, held briefly and let go by the worker.

SQLite lets one connection write at a time. Its own busy handler waits for the lock with
growing sleeps, up to 100 ms each, so a webhook arriving while the worker writes can sleep
through many moments when the lock was free. `run_promptly` asks again every millisecond
or two instead, for as long as the configured timeout. The worker does its part in
`beatdesk.channels.tasks`: one inbox step at a time, in a short transaction, with a pause
after it in which a waiting webhook takes the lock.

PostgreSQL locks rows, not the database, so there both are plain calls.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

# What SQLite may wait inside one attempt: it sleeps 1 ms, then 1 ms more, then gives up.
POLL_MILLISECONDS = 2
# Django's own default for a SQLite connection without a timeout option.
DEFAULT_TIMEOUT_SECONDS = 5.0


def run_promptly[Result](
    work: Callable[[], Result], database: BaseDatabaseWrapper = connection
) -> Result:
    """Run `work`, which writes through `database`, taking SQLite's write lock promptly.

    Each attempt fails at once, before anything is written, while another connection
    holds the lock; the next attempt follows a millisecond or two later. Inside a
    transaction the lock is already ours (or the caller's to wait for), so `work` runs once.
    """
    if database.vendor != "sqlite" or database.in_atomic_block:
        return work()

    timeout = _configured_timeout(database)
    deadline = time.monotonic() + timeout
    _set_busy_timeout(database, POLL_MILLISECONDS)
    try:
        return _attempt_until(work, deadline)
    finally:
        _set_busy_timeout(database, round(timeout * 1000))


def _attempt_until[Result](work: Callable[[], Result], deadline: float) -> Result:
    attempts = 1
    while True:
        try:
            return work()
        except OperationalError as error:
            if not _is_locked(error):
                raise
            if time.monotonic() >= deadline:
                logger.warning("write lock not taken in time attempts=%s", attempts)
                raise
        attempts += 1


def _is_locked(error: OperationalError) -> bool:
    return "database is locked" in str(error)


def _configured_timeout(database: BaseDatabaseWrapper) -> float:
    options = database.settings_dict.get("OPTIONS", {})
    return float(options.get("timeout", DEFAULT_TIMEOUT_SECONDS))


def _set_busy_timeout(database: BaseDatabaseWrapper, milliseconds: int) -> None:
    # A pragma is per connection: set and restored around the write, so every other
    # write of this process keeps SQLite's usual patient wait.
    with database.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


# The worker's side. One inbox step at a time per process, whatever the thread count, and
# a pause after each, so the worker's transactions never follow each other back to back.
# Re-entrant, so a step that runs another inline (a test's immediate queue) cannot deadlock.
_step_turn = threading.RLock()
_pause_seconds = 0.0


def pause_after_each_step(milliseconds: int) -> None:
    """Make this process rest after every inbox step; `beatdesk worker` calls it at start.

    Only the worker rests: a test or a command that runs the step inline does not.
    """
    global _pause_seconds
    _pause_seconds = max(milliseconds, 0) / 1000


@contextmanager
def inbox_step() -> Iterator[None]:
    """Run one inbox step alone in this process, then rest if the worker asked for it."""
    with _step_turn:
        try:
            yield
        finally:
            if _pause_seconds:
                # A webhook waiting for SQLite's lock, or for a core, takes it now.
                time.sleep(_pause_seconds)
