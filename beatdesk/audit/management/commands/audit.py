"""`beatdesk audit head` prints the chain head to keep elsewhere; `audit verify` checks it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatdesk.audit.verify import ChainHead, current_head, verify_chain


class Command(BaseCommand):
    help = "Print the audit chain head, or verify the chain (exit 1 naming the first bad record)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("head", help="print SEQUENCE:HASH of the newest record")
        verify = actions.add_parser("verify", help="check every record and the chain head")
        verify.add_argument("--head", help="a head printed earlier by `audit head`")
        verify.add_argument("--head-file", help="a file holding such a head")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            self.stdout.write(str(current_head()))
            return

        exported = self._exported_head(options.get("head"), options.get("head_file"))
        problem = verify_chain(exported)
        if problem is None:
            self.stdout.write(f"audit chain intact up to {current_head().sequence}")
            return
        where = f"record {problem.sequence}" if problem.sequence is not None else "a record"
        if problem.record_id is not None:
            where += f" (id {problem.record_id})"
        raise CommandError(f"audit chain broken at {where}: {problem.kind}: {problem.message}")

    def _exported_head(self, text: str | None, path: str | None) -> ChainHead | None:
        if path:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot read {path}: {error.strerror}", returncode=2) from None
        if not text:
            return None
        try:
            return ChainHead.parse(text)
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
