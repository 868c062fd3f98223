"""`beatdesk worker`: the background worker; `--check` proves a worker consumes the queue."""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from beatdesk.core.durability import UnsafeDatabaseError, refuse_unsafe_database
from beatdesk.core.models import WorkerHeartbeat
from beatdesk.core.tasks import heartbeat_now


class Command(BaseCommand):
    help = "Run the background worker (Huey consumer with the periodic sweep)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="enqueue a heartbeat and wait until a running worker records it",
        )
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds for --check")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self._check(options["timeout"])
            return
        try:
            refuse_unsafe_database()
        except UnsafeDatabaseError as error:
            raise CommandError(str(error)) from None
        call_command("run_huey", workers=2, worker_type="thread")

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
