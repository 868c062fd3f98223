"""`beatdesk backup` and `beatdesk restore`: equal rows, a chain that verifies, secrets sealed."""

import gzip
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.core.backup import BACKED_UP_APPS, RestoreError, restore, row_counts
from beatdesk.core.secrets import decrypt_secret
from tests.conftest import APP_SECRET, Cast
from tests.inbox.helpers import resident_writes


def restore_elsewhere(
    backup: Path, home: Path, **settings: str
) -> subprocess.CompletedProcess[str]:
    env = (
        os.environ
        | settings
        | {
            "BEATDESK_VAR": str(home),
            "DATABASE_URL": f"sqlite:///{home / 'restored.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "beatdesk", "restore", str(backup)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_database_has_equal_rows_and_a_verifying_chain(
    cast: Cast, account: Account, peer: WeChatPeer, tmp_path: Path
) -> None:
    resident_writes(account, peer, "oBACKUP", "请问户口迁移要带什么材料？")
    backup = tmp_path / "beatdesk.json.gz"

    call_command("backup", str(backup))
    result = restore_elsewhere(backup, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "the audit chain verifies" in result.stdout
    # Residents' messages are in there: only the service's own user may read the file.
    assert (tmp_path / "restored.sqlite3").stat().st_mode & 0o077 == 0
    restored = dict(line.split("\t") for line in result.stdout.splitlines()[1:] if "\t" in line)
    assert {label: int(count) for label, count in restored.items()} == row_counts()
    with sqlite3.connect(tmp_path / "restored.sqlite3") as database:
        (stored,) = database.execute("SELECT credentials FROM channels_account").fetchone()
        (words,) = database.execute("SELECT text FROM inbox_message").fetchone()
    assert APP_SECRET not in stored
    # Restored with the same key, the resident's words are encrypted and read back whole.
    assert "户口" not in words and decrypt_secret(words) == "请问户口迁移要带什么材料？"


@pytest.mark.django_db(transaction=True)
def test_a_restore_with_another_field_key_is_refused_and_leaves_the_database_empty(
    cast: Cast, account: Account, peer: WeChatPeer, tmp_path: Path
) -> None:
    resident_writes(account, peer, "oOTHERKEY", "我的自行车丢了")
    backup = tmp_path / "beatdesk.json.gz"
    call_command("backup", str(backup))

    result = restore_elsewhere(
        backup, tmp_path, BEATDESK_FIELD_KEY="not-the-key-it-was-written-with"
    )

    assert result.returncode != 0
    assert "do not decrypt with this BEATDESK_FIELD_KEY" in result.stderr
    with sqlite3.connect(tmp_path / "restored.sqlite3") as database:
        assert database.execute("SELECT count(*) FROM inbox_message").fetchone() == (0,)


@pytest.mark.django_db
def test_the_backup_file_never_holds_a_channel_secret_or_a_residents_words_in_the_clear(
    account: Account, peer: WeChatPeer, tmp_path: Path
) -> None:
    resident_writes(account, peer, "oSEALED", "我的手机13912345678丢了")
    backup = tmp_path / "beatdesk.json.gz"

    call_command("backup", str(backup))

    text = gzip.decompress(backup.read_bytes()).decode()
    assert APP_SECRET not in text
    assert '"credentials": "fernet:' in text
    assert "13912345678" not in text and "oSEALED" not in text
    assert '"text": "fernet:' in text and '"raw_body": "fernet:' in text


@pytest.mark.django_db
def test_a_restore_into_a_database_that_has_rows_is_refused(cast: Cast, tmp_path: Path) -> None:
    backup = tmp_path / "beatdesk.json.gz"
    call_command("backup", str(backup))

    with pytest.raises(RestoreError, match="not empty"):
        restore(backup)


def test_a_backup_name_without_the_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"must end in \.json\.gz"):
        call_command("backup", str(tmp_path / "beatdesk.sql"))


def test_every_app_of_ours_that_keeps_rows_is_backed_up() -> None:
    ours = {
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("beatdesk.") and list(config.get_models())
    }

    assert ours <= set(BACKED_UP_APPS)
