"""Refuse to start on a database that could lose what we have acknowledged.

A webhook answers the channel only after the raw message is committed; that promise is
empty if the commit itself is not durable. SQLite must run in WAL mode with synchronous
FULL (or EXTRA); PostgreSQL with fsync, full page writes and synchronous commit on.
"""

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

# PRAGMA synchronous answers a number: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
_SQLITE_SYNCHRONOUS_FULL = 2
_POSTGRES_SAFE_COMMIT = {"on", "remote_write", "remote_apply"}


class UnsafeDatabaseError(RuntimeError):
    """The database would accept commits it could lose in a crash."""


def unsafe_settings(db: BaseDatabaseWrapper = connection) -> list[str]:
    """Return a description of every unsafe durability setting; empty when all is well."""
    with db.cursor() as cursor:
        if db.vendor == "sqlite":
            return _sqlite_problems(cursor)
        if db.vendor == "postgresql":
            return _postgres_problems(cursor)
    return []


def refuse_unsafe_database(db: BaseDatabaseWrapper = connection) -> None:
    """Raise `UnsafeDatabaseError` naming every unsafe setting, before serving anything."""
    problems = unsafe_settings(db)
    if problems:
        raise UnsafeDatabaseError("unsafe database settings: " + "; ".join(problems))


def _sqlite_problems(cursor: object) -> list[str]:
    problems = []
    journal = _one(cursor, "PRAGMA journal_mode")
    if str(journal).lower() != "wal":
        problems.append(f"SQLite journal_mode is {journal}, not wal")
    synchronous = int(_one(cursor, "PRAGMA synchronous"))
    if synchronous < _SQLITE_SYNCHRONOUS_FULL:
        problems.append(f"SQLite synchronous is {synchronous}, below FULL (2)")
    return problems


def _postgres_problems(cursor: object) -> list[str]:
    problems = []
    for name in ("fsync", "full_page_writes"):
        if _one(cursor, f"SHOW {name}") != "on":
            problems.append(f"PostgreSQL {name} is off")
    commit = _one(cursor, "SHOW synchronous_commit")
    if commit not in _POSTGRES_SAFE_COMMIT:
        problems.append(f"PostgreSQL synchronous_commit is {commit}")
    return problems


def _one(cursor: object, sql: str) -> str:
    cursor.execute(sql)  # type: ignore[attr-defined]
    row = cursor.fetchone()  # type: ignore[attr-defined]
    return str(row[0])
