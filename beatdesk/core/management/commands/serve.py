import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.core.durability import UnsafeDatabaseError, refuse_unsafe_database


class Command(BaseCommand):
    help = "Serve Beatdesk with gunicorn (chunked webhook bodies supported)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            refuse_unsafe_database()
        except UnsafeDatabaseError as error:
            raise CommandError(str(error)) from None
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "beatdesk.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            # WeChat gives up after five seconds; nothing we serve should take longer.
            "--timeout",
            "30",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]
        os.execv(sys.executable, argv)  # noqa: S606
