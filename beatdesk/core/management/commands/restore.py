"""`beatdesk restore FILE.json.gz`: load a backup into a new database, verify its chain."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.core.backup import RestoreError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database (migrated first), all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a file written by `beatdesk backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        try:
            counts = restore(Path(options["file"]))
        except RestoreError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {sum(counts.values())} rows; the audit chain verifies")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}\t{count}")
