from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.channels.weibo.expiry import flag_expiring_tokens
from beatdesk.channels.weibo.poll import accounts_to_poll, poll_account


class Command(BaseCommand):
    help = "Read the comments and mentions of Weibo accounts now (the worker does so every 5 min)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", default="", help="the code of one Weibo account")

    def handle(self, *args: Any, **options: Any) -> None:
        flag_expiring_tokens()
        accounts = accounts_to_poll(options["account"])
        if options["account"] and not accounts:
            raise CommandError(f"no active Weibo account with code {options['account']!r}")
        for account in accounts:
            report = poll_account(account)
            failed = ",".join(report.failed_streams) or "-"
            self.stdout.write(
                f"{account.code}: stored={report.stored} processed={report.processed} "
                f"failed={failed} attention={account.needs_attention or '-'}"
            )
