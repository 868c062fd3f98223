"""`beatdesk import-lexicon UNIT FILE`: replace a unit's lexicon layer from a file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.checker.actions import LexiconError, do_import_lexicon
from beatdesk.checker.core import LexiconFormatError
from beatdesk.units.models import Unit


class Command(BaseCommand):
    help = "Replace a unit's lexicon layer with a tab-separated or Excel file, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("unit", help="the code of the unit whose layer is replaced")
        parser.add_argument("file", help="a UTF-8 tab-separated file or an .xlsx workbook")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit with code {options['unit']!r}")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None

        try:
            lexicon = do_import_lexicon(None, unit, data, path.name)
        except LexiconFormatError as error:
            lines = "\n".join(f"line {problem.line}: {problem.text}" for problem in error.problems)
            raise CommandError(f"nothing was imported:\n{lines}") from None
        except LexiconError as error:
            raise CommandError(f"nothing was imported: {error}") from None
        count = lexicon.terms.filter(allowed=False).count()
        self.stdout.write(f"{unit.code}: {count} terms, version {lexicon.version}")
