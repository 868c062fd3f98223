"""SQLite's one write lock: taken promptly by webhooks, held briefly and let go by the worker.

SQLite lets one connection write at a time. Its own busy handler waits for the lock with
growing sleeps, up to 100 ms each, so a webhook arriving while the worker writes can sleep
through many moments when the lock was free. `run_promptly` asks again every millisecond
or two instead, for as long as the configured timeout. The worker does its part in
`beatdesk.channels.tasks`: one inbox step at a time, in a short transaction, with a rest
after it in which a waiting webhook takes the lock, longer while pushes arrive fast.

PostgreSQL locks rows, not the database, so there both are plain calls.
"""

import logging
import threading
import time
from collections import deque
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
# a rest after each, so the worker's transactions never follow each other back to back.
# Re-entrant, so a step that runs another inline (a test's immediate queue) cannot deadlock.
_step_turn = threading.RLock()
_pause_seconds = 0.0
_yield_rate = 0.0
# The longest rest after one step, so that the inbox keeps moving through any burst.
MOST_REST_SECONDS = 1.0
# How far back arrivals are counted; a burst is seen within a step or two.
ARRIVALS_WINDOW_SECONDS = 2.0


def pause_after_each_step(milliseconds: int, yield_rate: float = 0.0) -> None:
    """Make this process rest after every inbox step; `beatdesk worker` calls it at start.

    With a `yield_rate` (pushes a second), the rest also grows with how fast pushes are
    arriving: at that rate the worker rests as long as its step took, at twice that rate
    twice as long, and so on up to `MOST_REST_SECONDS`. Only the worker rests: a test or
    a command that runs the step inline does not.
    """
    global _pause_seconds, _yield_rate
    _pause_seconds = max(milliseconds, 0) / 1000
    _yield_rate = max(yield_rate, 0.0)


def rest_after(step_seconds: float, arrivals_per_second: float) -> float:
    """Return how long the worker rests after a step that took `step_seconds`."""
    stepping_aside = 0.0
    if _yield_rate:
        stepping_aside = step_seconds * arrivals_per_second / _yield_rate
    return min(_pause_seconds + stepping_aside, MOST_REST_SECONDS)


class Arrivals:
    """How fast a count that only grows is rising, such as the newest stored push's id.

    Each call to `rate` reads the count once and compares it with the readings of the
    last `ARRIVALS_WINDOW_SECONDS`; a first reading, or one after a quiet spell, says 0.
    """

    def __init__(
        self, count: Callable[[], int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._count = count
        self._clock = clock
        self._readings: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()

    def rate(self) -> float:
        now, value = self._clock(), self._count()
        with self._lock:
            readings = self._readings
            while readings and now - readings[0][0] > ARRIVALS_WINDOW_SECONDS:
                readings.popleft()
            readings.append((now, value))
            first_at, first = readings[0]
        span = now - first_at
        return max(value - first, 0) / span if span > 0 else 0.0


@contextmanager
def inbox_step(arrivals: Arrivals | None = None) -> Iterator[None]:
    """Run one inbox step alone in this process, then rest if the worker asked for it.

    `arrivals` tells how fast pushes are coming in; while they come fast, the worker steps
    aside for longer, because every webhook's acknowledgement needs a core and, on SQLite,
    the write lock, and the inbox step can catch up after the burst. An emergency's step
    does not come through here: it leaves the queue first and neither waits nor rests.
    """
    with _step_turn:
        began = time.monotonic()
        try:
            yield
        finally:
            if _pause_seconds or _yield_rate:
                _rest(time.monotonic() - began, arrivals)


def _rest(step_seconds: float, arrivals: Arrivals | None) -> None:
    rate = 0.0
    if arrivals is not None and _yield_rate:
        try:
            rate = arrivals.rate()
        except Exception as error:
            # Reading the count is a hint; the rest falls back to the plain pause.
            logger.warning("arrival rate not read error=%s", type(error).__name__)
    # A webhook waiting for SQLite's lock, or for a core, takes it now.
    time.sleep(rest_after(step_seconds, rate))
