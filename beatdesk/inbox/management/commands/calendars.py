from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from beatdesk.inbox.calendars import years_missing
from beatdesk.inbox.deadlines import DATA_DIRECTORY, FILE_NAME
from beatdesk.inbox.models import HolidayNotice


class Command(BaseCommand):
    help = (
        "List the holiday notices Beatdesk knows; exit 1 while a deadline counted from today "
        "may reach a year without one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print only what is missing")
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            help="check as of this day (YYYY-MM-DD) instead of today",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["quiet"]:
            for line in _known():
                self.stdout.write(line)
        missing = years_missing(options["on"])
        if not missing:
            return
        years = ", ".join(str(year) for year in missing)
        self.stderr.write(
            f"missing: {years}. Deadlines reaching it count weekends only and are marked "
            "provisional; install the notice with `beatdesk import-calendar cn-<year>.tsv`."
        )
        raise SystemExit(1)


def _known() -> list[str]:
    installed = {
        (notice.calendar, notice.year): notice
        for notice in HolidayNotice.objects.order_by("calendar", "year")
    }
    lines = []
    for path in sorted(DATA_DIRECTORY.glob("*.tsv")):
        match = FILE_NAME.match(path.name)
        if match and (match["calendar"], int(match["year"])) not in installed:
            lines.append(f"{path.stem}\tshipped")
    for (calendar, year), notice in installed.items():
        stamp = notice.installed_at.strftime("%Y-%m-%d %H:%M UTC")
        lines.append(f"{calendar}-{year}\tinstalled {stamp}")
    return sorted(lines)
