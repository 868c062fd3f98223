"""`beatdesk second-factor reset USER`: forget a lost authenticator so the user enrols again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.units import second_factor
from beatdesk.units.models import User


class Command(BaseCommand):
    help = "Reset a staff member's sign-in app (they set up a new one at their next sign-in)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        reset = actions.add_parser("reset", help="forget USER's authenticator secret")
        reset.add_argument("username")
        status = actions.add_parser("status", help="say whether USER has a confirmed app")
        status.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']}", returncode=2)
        if options["action"] == "status":
            enrolled = second_factor.is_enrolled(user)
            self.stdout.write(f"{user.username}: {'enrolled' if enrolled else 'not enrolled'}")
            return
        second_factor.reset(user, actor=None)
        self.stdout.write(f"{user.username} will set up a new sign-in app at the next sign-in")
