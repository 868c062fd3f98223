"""Kill the real server with SIGKILL while pushes arrive: nothing acknowledged is lost or doubled.

The server is `beatdesk serve` (gunicorn) on its own database: a SQLite file in WAL mode,
or PostgreSQL when DATABASE_URL names it, as in CI. Deliveries of every channel (WeChat, QQ
over OneBot, the official QQ bot, Weibo and the portal's write form) are sent a few at a
time, interleaved; whatever got no acknowledgement is sent again, as the platforms and a
resident's browser do.
A `beatdesk worker` runs beside the server and does the inbox step; at the end it has
drained the queue, the minute sweep's work is done, and every acknowledged delivery must
be stored exactly once, with exactly one inbox message.

The same run with the answer moved before the commit (tests/trust/fault_settings.py) must
lose deliveries: that is the proof this harness can fail.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.trust.channels import channel_named
from tests.trust.crashes import Run, deliver_while_killing, plan
from tests.trust.sites import Database, Server, Worker, environment, tool

KINDS = ["wechat", "onebot", "qqbot", "weibo", "portal"]
CONNECTIONS = 4
# Sizes: the CI run, the long run (`make test-long`) and the run that must lose pushes.
CI_DELIVERIES, CI_KILLS = 2000, 8
LONG_DELIVERIES, LONG_KILLS = 10_000, 40
FAULT_DELIVERIES, FAULT_KILLS = 400, 8
# Bounds on the time the sending may take; a run that needs longer fails.
CI_SECONDS, LONG_SECONDS, FAULT_SECONDS = 420, 1800, 240
# The worker has this long after the last answer to hand every push to the inbox.
WORKER_DRAIN_SECONDS = 600


@dataclass(frozen=True)
class Outcome:
    """What the harness found: the figures docs/trust.md records."""

    run: Run
    census: dict[str, Any]
    missing: set[tuple[str, str]]
    duplicates: int
    without_one_message: int

    def summary(self, database: Database) -> str:
        engine = "postgresql" if database.is_postgres else "sqlite"
        return (
            f"date={datetime.now(UTC):%Y-%m-%d} database={engine} "
            f"acknowledged={len(self.run.acknowledged)} kills={len(self.run.kills)} "
            f"attempts={self.run.attempts} missing={len(self.missing)} "
            f"missing_by_account={dict(Counter(code for code, _marker in self.missing))} "
            f"duplicates={self.duplicates} without_one_message={self.without_one_message} "
            f"finished_by_sweep={self.census['finished_by_sweep']} "
            f"worker_drain_seconds={self.census['worker_drain_seconds']} "
            f"seconds={self.run.seconds:.0f}"
        )


def crash_run(
    database: Database, folder: Path, settings: str, deliveries: int, kills: int, seconds: float
) -> Outcome:
    env = environment(database, settings)
    tool(env, "setup", *KINDS)
    server = Server(env, folder / "server.log")
    worker = Worker(env, folder / "worker.log")
    worker.start()
    server.start_and_wait()
    try:
        channels = [channel_named(kind) for kind in KINDS]
        planned = plan(channels, deliveries)
        for channel in channels:
            # Residents open the portal's form before they send it: before any kill.
            channel.prepare(server.port, [p.number for p in planned if p.channel is channel])
        run = deliver_while_killing(server, planned, kills, CONNECTIONS, seconds)
        # The inbox step runs in the worker; what a killed request never queued, the sweep
        # finishes, and the census counts it.
        census = tool(env, "census", str(WORKER_DRAIN_SECONDS), waits=WORKER_DRAIN_SECONDS)
    finally:
        server.stop()
        worker.stop()
    return _compare(run, census)


def _compare(run: Run, census: dict[str, Any]) -> Outcome:
    stored = Counter((row["account"], row["marker"]) for row in census["deliveries"])
    duplicates = sum(count - 1 for count in stored.values())
    without_one = sum(1 for row in census["deliveries"] if row["messages"] != 1)
    return Outcome(run, census, run.acknowledged - set(stored), duplicates, without_one)


def assert_kept(outcome: Outcome, deliveries: int, kills: int) -> None:
    run, census = outcome.run, outcome.census
    assert not run.given_up, f"never acknowledged: {run.given_up[:5]}"
    assert len(run.acknowledged) == deliveries
    assert len(run.kills) == kills
    assert outcome.missing == set()
    assert outcome.duplicates == 0
    assert len(census["deliveries"]) == deliveries
    assert outcome.without_one_message == 0
    assert census["inbound_without_delivery"] == 0
    assert census["residents_with_two_open_cases"] == 0


def test_nothing_acknowledged_is_lost_or_doubled_while_the_server_is_killed(
    harness_database: Database, tmp_path: Path
) -> None:
    outcome = crash_run(
        harness_database, tmp_path, "beatdesk.settings", CI_DELIVERIES, CI_KILLS, CI_SECONDS
    )

    print("crash harness", outcome.summary(harness_database))
    assert_kept(outcome, CI_DELIVERIES, CI_KILLS)


@pytest.mark.long
def test_nothing_acknowledged_is_lost_or_doubled_through_forty_kills_and_ten_thousand_pushes(
    harness_database: Database, tmp_path: Path
) -> None:
    outcome = crash_run(
        harness_database, tmp_path, "beatdesk.settings", LONG_DELIVERIES, LONG_KILLS, LONG_SECONDS
    )

    print("crash harness (long)", outcome.summary(harness_database))
    assert_kept(outcome, LONG_DELIVERIES, LONG_KILLS)


def test_the_harness_finds_lost_pushes_when_the_answer_goes_out_before_the_commit(
    harness_database: Database, tmp_path: Path
) -> None:
    settings = "tests.trust.fault_settings"
    outcome = crash_run(
        harness_database, tmp_path, settings, FAULT_DELIVERIES, FAULT_KILLS, FAULT_SECONDS
    )

    print("crash harness (ack before commit)", outcome.summary(harness_database))
    assert len(outcome.run.acknowledged) == FAULT_DELIVERIES
    assert len(outcome.missing) > 0
