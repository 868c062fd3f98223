"""`beatdesk purge`: remove residents' personal data whose retention period is over."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from beatdesk.retention.actions import do_purge
from beatdesk.retention.policy import RetentionSettingError


class Command(BaseCommand):
    help = "Empty residents' personal data past its retention period (the worker does it nightly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count what is due")

    def handle(self, *args: Any, **options: Any) -> None:
        now: datetime = timezone.now()
        try:
            report = do_purge(now, dry_run=options["dry_run"])
        except RetentionSettingError as error:
            raise CommandError(str(error)) from None
        verb = "due" if options["dry_run"] else "purged"
        self.stdout.write(
            f"cases {verb}: {len(report.cases)}; messages emptied: {report.messages}; "
            f"deliveries emptied: {report.deliveries}; photos deleted: {report.photos}; "
            f"residents made anonymous: {report.residents}; "
            f"old job files emptied: {report.job_files}"
        )
