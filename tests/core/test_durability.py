"""The server and the worker refuse a database that could lose acknowledged messages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from beatdesk.core.durability import UnsafeDatabaseError, refuse_unsafe_database, unsafe_settings


def test_a_real_sqlite_file_as_configured_is_safe(tmp_path: Path) -> None:
    env = os.environ | {
        "BEATDESK_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
    }
    script = (
        "import django; django.setup();"
        "from beatdesk.core.durability import unsafe_settings; print(unsafe_settings())"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.django_db(transaction=True)
def test_commits_that_are_not_flushed_to_disk_are_refused() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET synchronous_commit TO off")
    try:
        with pytest.raises(UnsafeDatabaseError, match="synchronous"):
            refuse_unsafe_database()
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous=FULL")
            else:
                cursor.execute("SET synchronous_commit TO on")


@pytest.mark.django_db
def test_the_ci_postgresql_server_runs_with_fsync_and_full_page_writes() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")

    assert unsafe_settings() == []


def test_the_worker_refuses_to_start_on_an_unsafe_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    env = os.environ | {
        "BEATDESK_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "tests.unsafe_settings",
    }

    result = subprocess.run(
        [sys.executable, "-m", "beatdesk", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "SQLite journal_mode is delete, not wal" in result.stderr
