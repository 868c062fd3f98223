"""Huey's SQLite task file skips the disk flush per task, and still hands every task over."""

from pathlib import Path

from beatdesk.core.taskstore import TaskFile

# SQLite's codes for the synchronous pragma.
NORMAL, FULL = 1, 2


def test_the_task_file_waits_for_checkpoints_to_reach_the_disk(tmp_path: Path) -> None:
    store = TaskFile("beatdesk-tests", filename=str(tmp_path / "huey.sqlite3"))

    connection = store.conn
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == NORMAL
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_task_written_by_one_connection_is_read_by_another(tmp_path: Path) -> None:
    path = str(tmp_path / "huey.sqlite3")
    webhook, worker = (
        TaskFile("beatdesk-tests", filename=path),
        TaskFile("beatdesk-tests", filename=path),
    )

    webhook.enqueue(b"process delivery 1")

    assert worker.dequeue() == b"process delivery 1"
    assert worker.dequeue() is None
