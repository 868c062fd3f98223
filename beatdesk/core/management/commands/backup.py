"""`beatdesk backup FILE.json.gz`: every row, one consistent moment, secrets still encrypted."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.core.backup import backup


class Command(BaseCommand):
    help = "Write every row of Beatdesk to a compressed backup file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the backup; the name ends in .json.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = backup(Path(options["file"]))
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"backed up {sum(counts.values())} rows to {options['file']}")
