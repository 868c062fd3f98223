"""`beatdesk onebot-reconcile`: read back QQ chats' history after an outage and store gaps."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.onebot.reconcile import Report, reconcile_account, reconcile_all


class Command(BaseCommand):
    help = "Recover QQ (OneBot) messages posted while Beatdesk was unreachable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", help="one account's code (default: every QQ account)")
        parser.add_argument(
            "--minutes", type=int, default=60, help="how far back to read (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes: int = options["minutes"]
        if not 1 <= minutes <= 7 * 24 * 60:
            raise CommandError("--minutes must be between 1 and 10080 (a week)", returncode=2)
        window = timedelta(minutes=minutes)
        code = options.get("account")
        if code:
            account = Account.objects.filter(code=code, kind=ChannelKind.ONEBOT).first()
            if account is None:
                raise CommandError(f"no QQ (OneBot) account with code {code}", returncode=2)
            report: Report = reconcile_account(account, window)
        else:
            report = reconcile_all(window)
        self.stdout.write(
            f"chats read: {report.chats}; messages in the window: {report.read}; "
            f"recovered: {report.recovered}; chats whose history failed: {report.failed_chats}"
        )
        if report.failed_chats:
            raise CommandError("some chats' history could not be read", returncode=1)
