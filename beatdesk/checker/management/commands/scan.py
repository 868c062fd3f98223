"""`beatdesk scan [FILE|-] [--json] [--unit CODE]`: check a text from a file or standard input.

Exit status: 0 when nothing needs review, 1 when a finding is at review level or above,
2 for a usage or input error (no such file, not UTF-8, too long, unknown unit).
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from beatdesk.checker.core import MAX_TEXT_LENGTH, CheckResult
from beatdesk.checker.lexicons import check_at
from beatdesk.checker.presentation import result_data
from beatdesk.units.models import Unit


class Command(BaseCommand):
    help = "Check a text for wording, secrecy and personal data; exit 1 if it needs review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or -")
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")
        parser.add_argument("--unit", help="apply this unit's lexicon (needs the database)")
        parser.add_argument("--lang", default=None, help="language of reasons: zh-hans or en")
        parser.add_argument(
            "--no-wrong-characters",
            action="store_true",
            help="skip the slower wrong-character rule",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["lang"]:
            translation.activate(options["lang"])
        text = self._read(options["file"])
        unit = self._unit(options["unit"])

        result, versions = check_at(
            text, unit, wrong_characters=not options["no_wrong_characters"]
        )
        data = result_data(text, result) | {"lexicon_versions": versions}
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._print(text, result, data)

        if result.is_blocked or result.needs_review:
            raise SystemExit(1)

    def _read(self, name: str) -> str:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror}", returncode=2) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"{name} is not UTF-8 text", returncode=2) from None
        if len(text) > MAX_TEXT_LENGTH:
            raise CommandError(
                f"the text has {len(text)} characters; at most {MAX_TEXT_LENGTH} are checked",
                returncode=2,
            )
        return text

    def _unit(self, code: str | None) -> Unit | None:
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"no unit with code {code!r}", returncode=2)
        return unit

    def _print(self, text: str, result: CheckResult, data: dict[str, Any]) -> None:
        for finding, shown in zip(result.findings, data["findings"], strict=True):
            line = text.count("\n", 0, finding.start) + 1
            column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
            suggestion = f" → {shown['suggestion']}" if shown["suggestion"] else ""
            self.stdout.write(
                f"{line}:{column}\t{shown['severity_label']}\t{shown['category_label']}\t"
                f"{shown['excerpt']}\t{shown['reason']}{suggestion}"
            )
        self.stdout.write(
            f"{data['risk_label']} ({len(result.findings)}); "
            f"readability {result.readability.score}/100"
        )
