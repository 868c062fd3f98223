"""The `beatdesk` console command: Django's management commands, from any directory."""

import os
import sys


def main() -> None:
    """Run a management command with Beatdesk's settings.

    Commands may be spelled with hyphens (`beatdesk import-matrix`), as operators type them.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beatdesk.settings")

    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)
