"""`beatdesk rotate-field-key`: encrypt every stored value again with the newest field key."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from beatdesk.core.encryption import rotate_all
from beatdesk.core.secrets import SecretUnreadable


class Command(BaseCommand):
    help = (
        "Encrypt every encrypted value again with BEATDESK_FIELD_KEY, reading the old ones "
        "with the keys in BEATDESK_FIELD_OLD_KEYS; afterwards the old keys can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = rotate_all(connection)
        except SecretUnreadable as error:
            raise CommandError(f"{error}; nothing was changed") from None
        self.stdout.write(f"encrypted {sum(counts.values())} rows again with the new key")
