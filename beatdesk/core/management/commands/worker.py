"""`beatdesk worker`: the background worker; `--check` proves a worker consumes the queue."""

import logging
import os
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from beatdesk.core.durability import UnsafeDatabaseError, refuse_unsafe_database
from beatdesk.core.models import WorkerHeartbeat
from beatdesk.core.tasks import heartbeat_now
from beatdesk.core.writelock import pause_after_each_step

logger = logging.getLogger(__name__)

# The range os.nice accepts for lowering a process's priority.
MAX_NICE = 19


class Command(BaseCommand):
    help = "Run the background worker (Huey consumer with the periodic sweep)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="enqueue a heartbeat and wait until a running worker records it",
        )
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds for --check")
        parser.add_argument(
            "--nice",
            type=int,
            default=None,
            help="lower the worker's CPU priority by this much, 0 to 19 "
            "(default BEATDESK_WORKER_NICE, 10)",
        )
        parser.add_argument(
            "--pause-ms",
            type=int,
            default=None,
            help="rest after each inbox step (default BEATDESK_WORKER_PAUSE_MS, 5)",
        )
        parser.add_argument(
            "--yield-rate",
            type=int,
            default=None,
            help="pushes a second at which the worker rests as long as each step took, "
            "0 for never (default BEATDESK_WORKER_YIELD_RATE, 20)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="worker threads (default BEATDESK_WORKER_THREADS, 2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self._check(options["timeout"])
            return
        nice, pause, yield_rate, threads = _choices(options)
        try:
            refuse_unsafe_database()
        except UnsafeDatabaseError as error:
            raise CommandError(str(error)) from None

        # The webhooks' acknowledgement is the promise; the inbox step may lag in a burst.
        if nice:
            os.nice(nice)
        pause_after_each_step(pause, yield_rate)
        logger.info(
            "worker starting nice=%s pause_ms=%s yield_rate=%s threads=%s",
            nice,
            pause,
            yield_rate,
            threads,
        )
        call_command("run_huey", workers=threads, worker_type="thread")

    def _check(self, timeout: float) -> None:
        store = type(HUEY).__name__
        asked_at = timezone.now()
        heartbeat_now()

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.filter(beat_at__gte=asked_at).exists():
                self.stdout.write(f"a worker answered through {store}")
                return
            time.sleep(0.2)
        raise CommandError(f"no worker answered through {store} within {timeout:.0f}s")


def _choices(options: dict[str, Any]) -> tuple[int, int, int, int]:
    """Return (nice, pause in ms, yield rate, threads) from the options or the settings.

    Nonsense is refused with a message naming the value.
    """
    nice = _given(options["nice"], settings.WORKER_NICE)
    pause = _given(options["pause_ms"], settings.WORKER_PAUSE_MS)
    yield_rate = _given(options["yield_rate"], settings.WORKER_YIELD_RATE)
    threads = _given(options["threads"], settings.WORKER_THREADS)
    if not 0 <= nice <= MAX_NICE:
        raise CommandError(f"the worker's nice value must be 0 to {MAX_NICE}, not {nice}")
    if pause < 0:
        raise CommandError(f"the pause after each inbox step cannot be negative ({pause} ms)")
    if yield_rate < 0:
        raise CommandError(f"the worker's yield rate cannot be negative ({yield_rate} a second)")
    if threads < 1:
        raise CommandError(f"the worker needs at least one thread, not {threads}")
    return nice, pause, yield_rate, threads


def _given(option: int | None, setting: int) -> int:
    return setting if option is None else option
