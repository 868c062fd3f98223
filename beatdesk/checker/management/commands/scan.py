"""`beatdesk scan [FILE|-] [--json] [--unit CODE]`: check a text from a file or standard input.

Exit status: 0 when nothing needs review, 1 when a finding is at review level or above,
2 for a usage, input or output error (no such file, not UTF-8, a NUL character, too long,
unknown unit, no database for --unit, output closed early as by `| head`).

Offsets are into the text exactly as read, a leading byte order mark included, as the API
counts them. The plain listing shows control characters of the text escaped (\x1b, \t), so
a text cannot drive the terminal or break the listing's columns.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
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
        parser.add_argument(
            "--lang",
            default=None,
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of reasons",
        )
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
        try:
            if options["json"]:
                self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                self._print(text, result, data)
            self.stdout.flush()
        except BrokenPipeError:
            # The reader went away (`| head`): nothing more can be said, and Python's own
            # flush at exit must not fail again on the closed pipe.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(2) from None

        if result.is_blocked or result.needs_review:
            raise SystemExit(1)

    def _read(self, name: str) -> str:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror}", returncode=2) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CommandError(f"{name} is not UTF-8 text", returncode=2) from None
        if "\x00" in text:
            # As the API refuses it: a NUL byte means a binary file, not a text to publish.
            raise CommandError(f"{name} holds a NUL character; it is not text", returncode=2)
        if len(text) > MAX_TEXT_LENGTH:
            raise CommandError(
                f"the text has {len(text)} characters; at most {MAX_TEXT_LENGTH} are checked",
                returncode=2,
            )
        return text

    def _unit(self, code: str | None) -> Unit | None:
        if not code:
            return None
        try:
            unit = Unit.objects.filter(code=code).first()
        except DatabaseError:
            raise CommandError(
                "--unit needs the database, which is not set up: run `beatdesk migrate`, "
                "or check without --unit",
                returncode=2,
            ) from None
        if unit is None:
            raise CommandError(f"no unit with code {code!r}", returncode=2)
        return unit

    def _print(self, text: str, result: CheckResult, data: dict[str, Any]) -> None:
        # The listing shows what the API shows: the first MAX_FINDINGS_SHOWN, then a count.
        for shown in data["findings"]:
            start = shown["start"]
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            suggestion = f" → {_visible(shown['suggestion'])}" if shown["suggestion"] else ""
            self.stdout.write(
                f"{line}:{column}\t{shown['severity_label']}\t{shown['category_label']}\t"
                f"{_visible(shown['excerpt'])}\t{shown['reason']}{suggestion}"
            )
        hidden = len(result.findings) - len(data["findings"])
        if hidden:
            self.stdout.write(f"… and {hidden} more, not listed")
        self.stdout.write(
            f"{data['risk_label']} ({len(result.findings)}); "
            f"readability {result.readability.score}/100"
        )


def _visible(text: str) -> str:
    """Return text with its control and other unprintable characters written as escapes."""
    if text.isprintable():
        return text
    # repr writes exactly the unprintable characters as escapes: \t, \x1b, \u200b.
    return "".join(
        character if character.isprintable() else repr(character)[1:-1] for character in text
    )
