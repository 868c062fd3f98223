"""`beatdesk db-grants ROLE` prints (or applies) the grants for the application's own role."""

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from beatdesk.audit.protection import grant_statements

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = (
        "Print the PostgreSQL grants that let ROLE run Beatdesk but never change or delete "
        "audit records; with --apply, run them as the current (owner) connection."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the web server and worker connect as")
        parser.add_argument("--apply", action="store_true", help="run the statements now")

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"]
        if not ROLE_NAME.match(role):
            raise CommandError("a role name is lower-case letters, digits and _", returncode=2)
        if connection.vendor != "postgresql":
            raise CommandError("roles and grants exist only on PostgreSQL", returncode=2)

        statements = grant_statements(connection.ops.quote_name(role))
        if not options["apply"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"granted {role} the application's rights; audit records append-only")
