"""`beatdesk demo-code USER`: the current sign-in code of a demo user, for trying the demo.

Refused in production: there a code comes only from the person's own authenticator app.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.units import totp
from beatdesk.units.models import SecondFactor


class Command(BaseCommand):
    help = "Print a demo user's current sign-in code (not in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo codes are not given in production", returncode=2)
        factor = SecondFactor.objects.filter(
            user__username=options["username"], confirmed_at__isnull=False
        ).first()
        if factor is None:
            raise CommandError(f"{options['username']} has no sign-in key", returncode=2)
        now = time.time()
        left = totp.STEP_SECONDS - int(now) % totp.STEP_SECONDS
        self.stdout.write(f"{totp.code_at(str(factor.secret), now)} (valid for {left} s more)")
