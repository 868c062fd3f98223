"""Huey's SQLite task file, synced to disk at checkpoints rather than at every task.

The task file only wakes workers; the durable record of all work is a row in our own
database (a stored push, an outbox row, a job), and the minute sweep finishes a push whose
wake-up was lost. So a task need not reach the disk before the webhook answers: waiting
for it cost each acknowledgement one more disk flush, taken while holding the task file's
one write lock, which a worker at low CPU priority also takes to fetch its next task.

In WAL mode, NORMAL keeps the file consistent through a power cut; only the last tasks
may be lost, as Redis without an fsync per write may lose them too.
"""

import sqlite3

from huey.storage import SqliteStorage


class TaskFile(SqliteStorage):  # type: ignore[misc]
    """Huey's SQLite storage with `synchronous=NORMAL`."""

    def _create_connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection = super()._create_connection()
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection
