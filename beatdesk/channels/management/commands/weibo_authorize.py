import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.weibo import client
from beatdesk.channels.weibo.credentials import CredentialsError, with_fans_service_token


class Command(BaseCommand):
    help = (
        "Connect a Weibo account: print the address to authorise the app, then exchange "
        "the code shown after signing in (--code). Tokens are never printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="the code of the Weibo account")
        parser.add_argument("--code", default="", help="the code Weibo showed after sign-in")
        parser.add_argument(
            "--fans-service-token",
            action="store_true",
            help="read the fan-service token from standard input and keep it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(code=options["account"], kind=ChannelKind.WEIBO).first()
        if account is None:
            raise CommandError(f"no Weibo account with code {options['account']!r}")
        try:
            if options["fans_service_token"]:
                self._keep_fans_token(account)
            elif options["code"]:
                self._exchange(account, options["code"])
            else:
                self.stdout.write(client.authorize_url(account))
        except CredentialsError as error:
            raise CommandError(str(error)) from None
        except client.WeiboAPIError as error:
            raise CommandError(f"Weibo refused: {error.code} ({error.detail})") from None

    def _exchange(self, account: Account, code: str) -> None:
        authorisation = client.exchange_code(account, code.strip())
        self.stdout.write(
            f"{account.code}: authorised as Weibo user {authorisation.uid}; "
            f"the token ends {authorisation.expires_at:%Y-%m-%d %H:%M %Z}"
        )

    def _keep_fans_token(self, account: Account) -> None:
        # From standard input rather than an argument, so it stays out of shell history.
        token = sys.stdin.readline().strip()
        if not token:
            raise CommandError("no token on standard input")
        account.credentials = with_fans_service_token(account, token)
        account.save(update_fields=["credentials"])
        self.stdout.write(f"{account.code}: fan-service token kept")
