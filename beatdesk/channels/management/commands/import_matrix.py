from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from beatdesk.channels.matrix import MatrixError, import_matrix


class Command(BaseCommand):
    help = "Load units, people and accounts from a CSV or Excel file, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            # The command line speaks English throughout; the matrix page, its reader's tongue.
            with translation.override("en"):
                summary = import_matrix(path)
        except MatrixError as error:
            raise CommandError("nothing was imported:\n" + "\n".join(error.problems)) from None
        self.stdout.write(
            f"imported {summary.units} units, {summary.people} people, {summary.accounts} accounts"
        )
