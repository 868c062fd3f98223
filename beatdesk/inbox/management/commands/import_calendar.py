from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.inbox.calendars import (
    NoticeRefused,
    do_install_holiday_notice,
    recheck_provisional_deadlines,
)


class Command(BaseCommand):
    help = (
        "Install a year's holiday notice (<calendar>-<year>.tsv, the format of "
        "beatdesk/inbox/deadlines/README.md) and recompute the deadlines that waited for it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="e.g. cn-2027.tsv")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a year already installed (a notice the State Council changed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError(f"{path.name}: not UTF-8 text; nothing was installed") from None
        try:
            installed = do_install_holiday_notice(path.name, text, replace=options["replace"])
        except NoticeRefused as error:
            raise CommandError(f"nothing was installed: {error}") from None

        verb = "replaced" if installed.replaced else "installed"
        notice = installed.notice
        self.stdout.write(
            f"{verb} {notice.calendar}-{notice.year} ({installed.special_days} special days)"
        )
        settled = recheck_provisional_deadlines()
        self.stdout.write(f"{settled} provisional deadlines are now final")
