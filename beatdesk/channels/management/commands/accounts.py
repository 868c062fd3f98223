import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from beatdesk.channels.models import Account


class Command(BaseCommand):
    help = "List channel accounts: code, kind, unit and endpoint path (never secrets)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list"])
        parser.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [
            {"code": a.code, "kind": a.kind, "unit": a.unit.code, "endpoint": a.endpoint}
            for a in Account.objects.select_related("unit").order_by("code")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        attention = dict(
            Account.objects.exclude(needs_attention="").values_list("code", "needs_attention")
        )
        for row in rows:
            # What needs an operator (a failed send, a Weibo token about to end) shows last.
            flag = f"  ! {attention[row['code']]}" if row["code"] in attention else ""
            self.stdout.write(
                f"{row['code']:<24} {row['kind']:<8} {row['unit']:<20} {row['endpoint']}{flag}"
            )
