"""The harness's own database and processes: the real server and workers, killed for real.

Each harness gets a database of its own, cloned from one migrated template: a SQLite file
in WAL mode, or a PostgreSQL database on the server DATABASE_URL names (as in CI). Every
process is started here in a session of its own, so SIGKILL reaches the gunicorn master
and its workers at once, as a crash of the machine would, and nothing else.
"""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOL_TIMEOUT_SECONDS = 180
# A closed port on this machine.
NOWHERE = "http://127.0.0.1:9"
PLATFORM_API_VARIABLES = [
    "BEATDESK_WECHAT_API",
    "BEATDESK_QQBOT_API",
    "BEATDESK_QQBOT_TOKEN_URL",
    "BEATDESK_WEIBO_API",
    "BEATDESK_WEIBO_MESSAGES_API",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_url() -> str:
    """Return the PostgreSQL server the suite runs on, or "" when it runs on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@dataclass
class Database:
    """One harness database: its DATABASE_URL, and how to clone or drop it."""

    url: str
    folder: Path

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgres")

    def clone(self, folder: Path) -> "Database":
        """Return a copy of this (migrated, idle) database for one harness run."""
        if self.is_postgres:
            name = f"beatdesk_trust_{uuid.uuid4().hex[:12]}"
            template = urlsplit(self.url).path.lstrip("/")
            _administer(self.url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return Database(_with_database(self.url, name), folder)
        target = folder / "db.sqlite3"
        shutil.copyfile(self.folder / "db.sqlite3", target)
        return Database(f"sqlite:///{target}", folder)

    def drop(self) -> None:
        if self.is_postgres:
            name = urlsplit(self.url).path.lstrip("/")
            _administer(self.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _administer(url: str, statement: str) -> None:
    # CREATE and DROP DATABASE run outside a transaction, from the server's own database.
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement.encode())


def migrated_template(folder: Path) -> Database:
    """Create and migrate the database every harness run starts from."""
    server = postgres_url()
    if server:
        name = f"beatdesk_trust_template_{uuid.uuid4().hex[:8]}"
        _administer(server, f'CREATE DATABASE "{name}"')
        template = Database(_with_database(server, name), folder)
    else:
        template = Database(f"sqlite:///{folder / 'db.sqlite3'}", folder)
    run_tool_command(environment(template), ["-m", "beatdesk", "migrate", "--verbosity", "0"])
    if not template.is_postgres:
        # The copy must hold everything, so the write-ahead log goes into the file first.
        with sqlite3.connect(folder / "db.sqlite3") as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return template


def environment(
    database: Database, settings: str = "beatdesk.settings", **extra: str
) -> dict[str, str]:
    """Return the environment of every harness process: its database, quiet logs, no API."""
    env = os.environ | {
        "BEATDESK_VAR": str(database.folder),
        "DATABASE_URL": database.url,
        "DJANGO_SETTINGS_MODULE": settings,
        "BEATDESK_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO_ROOT),
        # Residents reach the portal through a reverse proxy on this machine, which names
        # each one's address, as in production; the per-address limit counts those.
        "BEATDESK_TRUSTED_PROXIES": "127.0.0.1",
    }
    # Automatic answers go out through the worker: every platform API is a closed port here,
    # so nothing the harness does can reach a real platform.
    env |= dict.fromkeys(PLATFORM_API_VARIABLES, NOWHERE)
    # A developer's Redis must not receive the harness's tasks unless a test asks for it.
    env.pop("REDIS_URL", None)
    return env | extra


def run_tool_command(
    env: dict[str, str], args: list[str], timeout: float = TOOL_TIMEOUT_SECONDS
) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args[:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def tool(env: dict[str, str], *args: str, waits: float = 0.0) -> dict[str, Any]:
    """Run one command of tests/trust/tool.py in the harness and return its JSON.

    `waits` is how long the command itself may wait (a census for the worker's drain),
    on top of the time any command is given.
    """
    command = ["-m", "tests.trust.tool", *args]
    printed = run_tool_command(env, command, timeout=TOOL_TIMEOUT_SECONDS + waits)
    result: dict[str, Any] = json.loads(printed.strip().splitlines()[-1])
    return result


@dataclass
class Process:
    """A process the harness started in its own session, so it can be killed whole."""

    args: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, *self.args],
                env=self.env,
                cwd=REPO_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> float:
        """SIGKILL the process and every child it forked; return the moment, in epoch seconds."""
        popen = self._running()
        moment = time.time()
        os.killpg(popen.pid, signal.SIGKILL)
        popen.wait(timeout=30)
        return moment

    def stop(self) -> None:
        """Ask the process group to end, and kill it if it will not."""
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def _running(self) -> subprocess.Popen[bytes]:
        if self.popen is None or self.popen.poll() is not None:
            raise AssertionError(f"{self.args[:3]} is not running; see {self.log}")
        return self.popen


class Server(Process):
    """`beatdesk serve` on 127.0.0.1, as an operator starts it."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        bind = f"127.0.0.1:{self.port}"
        args = ["-m", "beatdesk", "serve", "--bind", bind, "--workers", str(workers)]
        super().__init__(args, env, log)

    def start_and_wait(self, timeout: float = 60.0) -> None:
        self.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._running()
            try:
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=5):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"beatdesk serve did not answer; see {self.log}")

    def restart(self) -> None:
        self.start_and_wait()


class Worker(Process):
    """`beatdesk worker` beside the server: it runs the inbox step of every stored push."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        super().__init__(["-m", "beatdesk", "worker"], env, log)
