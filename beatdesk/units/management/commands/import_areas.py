from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from beatdesk.units.area_files import AreaFileError, import_areas


class Command(BaseCommand):
    help = "Replace the areas (place names, outlines) of the units a CSV or Excel file names."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="columns unit, keyword, name, polygon")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            # The command line speaks English throughout, whatever the installation's language.
            with translation.override("en"):
                imported = import_areas(path)
        except AreaFileError as error:
            raise CommandError("nothing was imported:\n" + "\n".join(error.problems)) from None
        keywords = sum(len(areas.keywords) for areas in imported.values())
        polygons = sum(len(areas.polygons) for areas in imported.values())
        self.stdout.write(
            f"imported {keywords} place names and {polygons} outlines for {len(imported)} units"
        )
