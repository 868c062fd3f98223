"""`beatdesk api-token create USER --name NAME` and `beatdesk api-token revoke USER PREFIX`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.units.models import ApiToken, User
from beatdesk.units.tokens import create_token, revoke_token


class Command(BaseCommand):
    help = "Create, list or revoke a person's API tokens (the token is printed only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        listing = actions.add_parser("list", help="list a person's tokens (prefixes only)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke tokens by their prefix")
        revoke.add_argument("username")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")

        if options["action"] == "create":
            _row, token = create_token(user, options["name"])
            self.stdout.write(token)
        elif options["action"] == "list":
            for row in ApiToken.objects.filter(user=user).order_by("created_at"):
                state = "revoked" if row.revoked_at else "active"
                self.stdout.write(f"{row.prefix}\t{state}\t{row.name}")
        elif len(options["prefix"]) < 6:
            raise CommandError("give at least the first 6 characters of the token")
        elif not revoke_token(options["prefix"], user.username):
            raise CommandError("no active token of that user starts with that prefix")
