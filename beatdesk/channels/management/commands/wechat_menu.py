import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.menu import MenuPushError, menu_for, push_menu
from beatdesk.inbox.knowledge import MenuError, load_menu_plan


class Command(BaseCommand):
    help = (
        "Build a WeChat account's custom menu from the knowledge of its unit and push it "
        "through menu/create; --dry-run prints the menu instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="the account's code")
        parser.add_argument(
            "--plan", type=Path, help="a TOML [menu] table; the common knowledge's plan if omitted"
        )
        parser.add_argument("--dry-run", action="store_true", help="print the menu, push nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.select_related("unit").filter(code=options["account"]).first()
        if account is None:
            raise CommandError(f"no account {options['account']!r}")
        plan = _plan(options["plan"])
        try:
            if options["dry_run"]:
                menu = menu_for(account, plan)
                self.stdout.write(json.dumps(menu, ensure_ascii=False, indent=2))
                return
            buttons = push_menu(account, plan)
        except MenuPushError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"pushed the menu of {account.code}: {buttons} top-level buttons")


def _plan(path: Path | None) -> dict[str, list[str]] | None:
    if path is None:
        return None
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        return load_menu_plan(path.read_text(encoding="utf-8"), path.name)
    except (MenuError, UnicodeDecodeError) as error:
        raise CommandError(f"the menu was not changed: {error}") from None
