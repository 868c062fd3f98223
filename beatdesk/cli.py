"""The `beatdesk` console command: Django's management commands, from any directory."""

import os
import sys


def main() -> None:
    """Run a management command with Beatdesk's settings.

    Commands may be spelled with hyphens (`beatdesk import-matrix`), as operators type them.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beatdesk.settings")
    # The database, backups and logs hold residents' messages: readable by this user only.
    os.umask(0o077)

    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    try:
        execute_from_command_line(argv)
    except DatabaseError as error:
        # The usual first-day mistake: a command run before `beatdesk migrate`.
        if _missing_table(error):
            sys.stderr.write("The database has no Beatdesk tables yet: run `beatdesk migrate`.\n")
            sys.exit(1)
        raise


def _missing_table(error: Exception) -> bool:
    text = str(error).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)
