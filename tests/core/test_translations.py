"""The Chinese catalog is complete, and the sign-in page speaks Chinese unless asked otherwise."""

import ast
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client

import beatdesk

CATALOG = Path(beatdesk.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    """One message of a PO file: its flags and its keywords (msgid, msgstr, msgstr[0]...)."""

    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [value for key, value in self.fields.items() if key.startswith("msgstr")]


def _unquote(literal: str) -> str:
    """Read one quoted PO string; its escapes (\\n, \\", \\\\) are a subset of Python's."""
    value = ast.literal_eval(literal)
    if not isinstance(value, str):
        raise ValueError(f"not a quoted string: {literal}")
    return value


def read_catalog(path: Path) -> list[Entry]:
    """Parse a PO file into entries, leaving out obsolete (#~) ones, which are not compiled."""
    entries: list[Entry] = []
    entry, key = Entry(), ""

    for line in (raw.strip() for raw in path.read_text(encoding="utf-8").splitlines()):
        translated = any(name.startswith("msgstr") for name in entry.fields)
        if not line or (translated and line.startswith(("#", "msgctxt ", "msgid "))):
            if entry.fields:
                entries.append(entry)
            entry, key = Entry(), ""
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if not key:
                raise ValueError(f"{path}: a string continues no keyword: {line}")
            entry.fields[key] += _unquote(line)
        else:
            key, _, literal = line.partition(" ")
            entry.fields[key] = _unquote(literal)
    if entry.fields:
        entries.append(entry)
    return entries


def test_it_has_no_untranslated_or_fuzzy_string_in_the_chinese_catalog() -> None:
    entries = read_catalog(CATALOG)

    problems = [f"fuzzy: {entry.msgid!r}" for entry in entries if "fuzzy" in entry.flags]
    problems += [
        f"untranslated: {entry.msgid!r}"
        for entry in entries
        if entry.msgid and not (entry.translations and all(entry.translations))
    ]

    assert entries[0].msgid == "", "the catalog has no header"
    assert "Staff sign-in" in {entry.msgid for entry in entries}
    assert problems == []


def test_it_serves_the_inbox_sign_in_page_in_chinese_by_default(client: Client) -> None:
    chinese = client.get("/login/")
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == 200
    assert '<html lang="zh-hans">' in chinese.text
    assert "工作人员登录" in chinese.text
    assert "Staff sign-in" not in chinese.text
    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert "Staff sign-in" in english.text
    assert "工作人员登录" not in english.text


def test_every_string_in_the_code_and_templates_has_a_chinese_translation(
    tmp_path: Path,
) -> None:
    """Extract messages from a copy of the package as `make messages` would, then compare.

    A string added to a template or to Python code without a translation fails here, not
    weeks later on a Chinese screen.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("BEATDESK_REQUIRE_GETTEXT"):
            pytest.fail("BEATDESK_REQUIRE_GETTEXT is set but xgettext is not installed")
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    copy = tmp_path / "beatdesk"
    shutil.copytree(
        CATALOG.parents[3],
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "migrations", "*.gz", "*.tsv", "*.mo"),
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.messages_settings",
        "BEATDESK_MESSAGES_COPY": str(copy),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }

    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )

    entries = read_catalog(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    missing = [
        entry.msgid
        for entry in entries
        if entry.msgid and ("fuzzy" in entry.flags or not all(entry.translations))
    ]
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing[:20])
