"""Kill the outbox workers with SIGKILL mid-send: no answer is lost, and any doubled one is
doubled only because a worker died after the channel accepted it and before we recorded it.

Two `beatdesk worker` processes relay the outbox (through Redis when
BEATDESK_TEST_REDIS_URL names a server, as in CI; otherwise through the task store file
beside the database), woken the way committed answers wake them. They send to a fake
OneBot API on 127.0.0.1 that notes when it accepted each message. The workers are killed
at moments spread at random over the run and started again, until every row is sent.
"""

import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.trust.channels import ONEBOT_ACCESS_TOKEN, ONEBOT_BOT_QQ
from tests.trust.recording_api import Accepted, RecordingOneBotAPI
from tests.trust.sites import Database, Process, environment, tool

# How long a claim lasts in these runs; the product's two minutes would stall each kill.
CLAIM_SECONDS = 4
# A distant platform's answer takes this long after it has accepted a message.
ANSWER_DELAY = 0.05
WAKE_EVERY = 0.3
# A request fully written before the kill may still be read by the platform just after it.
IN_FLIGHT = 0.5


@dataclass(frozen=True)
class WorkerOutcome:
    messages: int
    kills: list[float]
    lost: list[str]
    duplicates: int
    unexplained: list[str]
    sent_twice_on_record: list[str]
    seconds: float

    def summary(self, database: Database, mode: str) -> str:
        engine = "postgresql" if database.is_postgres else "sqlite"
        return (
            f"date={datetime.now(UTC):%Y-%m-%d} database={engine} queue={mode} "
            f"messages={self.messages} kills={len(self.kills)} lost={len(self.lost)} "
            f"duplicates={self.duplicates} unexplained={len(self.unexplained)} "
            f"seconds={self.seconds:.0f}"
        )


def queue_mode() -> str:
    """Return which task store the workers share: Redis when the suite has one."""
    return "redis" if os.environ.get("BEATDESK_TEST_REDIS_URL") else "sqlite-task-store"


def queue_environment() -> dict[str, str]:
    """Return the environment that selects the task store, emptied of earlier tasks."""
    url = os.environ.get("BEATDESK_TEST_REDIS_URL", "")
    if not url:
        return {}
    redis.Redis.from_url(url).flushdb()
    return {"REDIS_URL": url}


def worker_kill_run(
    database: Database, folder: Path, messages: int, kills: int, seconds: float
) -> WorkerOutcome:
    env = environment(database, **queue_environment())
    api = RecordingOneBotAPI(ONEBOT_ACCESS_TOKEN, str(ONEBOT_BOT_QQ), ANSWER_DELAY)
    tool(env, "seed-outbox", str(messages), api.start())
    worker_args = ["-m", "tests.trust.relay_worker", str(CLAIM_SECONDS)]
    workers = [Process(worker_args, env, folder / f"worker-{n}.log") for n in (1, 2)]
    waker = Process(
        ["-m", "tests.trust.tool", "wake", str(WAKE_EVERY), str(seconds)],
        env,
        folder / "waker.log",
    )
    started = time.monotonic()
    try:
        for process in [*workers, waker]:
            process.start()
        moments = _kill_while_sending(api, workers, messages, kills, started + seconds)
        report = _wait_until_sent(env, started + seconds)
    finally:
        for process in [waker, *workers]:
            process.stop()
        api.stop()
    return _judge(report, api.accepted, moments, messages, time.monotonic() - started)


def _kill_while_sending(
    api: RecordingOneBotAPI, workers: list[Process], messages: int, kills: int, deadline: float
) -> list[float]:
    moments = []
    thresholds = sorted(random.sample(range(messages // 20, messages * 9 // 10), kills))
    for threshold in thresholds:
        while len({a.key for a in api.accepted}) < threshold and time.monotonic() < deadline:
            time.sleep(0.005)
        victim = random.choice(workers)
        moments.append(victim.kill())
        victim.start()
    return moments


def _wait_until_sent(env: dict[str, str], deadline: float) -> dict[str, Any]:
    while True:
        report = tool(env, "outbox-report")
        waiting = [row for row in report["rows"] if row["status"] != "sent"]
        if not waiting or time.monotonic() > deadline:
            return report
        time.sleep(1.0)


def _judge(
    report: dict[str, Any],
    accepted: list[Accepted],
    kills: list[float],
    messages: int,
    seconds: float,
) -> WorkerOutcome:
    copies: dict[str, list[float]] = defaultdict(list)
    for acceptance in accepted:
        copies[acceptance.key].append(acceptance.at)
    sent_attempts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for attempt in report["attempts"]:
        if attempt["outcome"] == "sent":
            sent_attempts[attempt["key"]].append((attempt["started"], attempt["finished"]))

    lost = [r["key"] for r in report["rows"] if r["status"] != "sent" or r["key"] not in copies]
    twice = [key for key, windows in sent_attempts.items() if len(windows) != 1]
    starts: dict[str, list[float]] = defaultdict(list)
    for attempt in report["attempts"]:
        starts[attempt["key"]].append(attempt["started"])
    unexplained = [
        f"{key} accepted at {at:.3f}"
        for key, times in copies.items()
        for at in sorted(times)[:-1]
        if not _died_after_accepting(at, starts[key], kills)
    ]
    duplicates = sum(len(times) - 1 for times in copies.values())
    return WorkerOutcome(messages, kills, lost, duplicates, unexplained, twice, seconds)


def _died_after_accepting(accepted_at: float, starts: list[float], kills: list[float]) -> bool:
    """Say whether a worker was killed after this acceptance and before the row was tried
    again: the only window in which the product may send an answer twice."""
    later = [start for start in starts if start > accepted_at]
    if not later:
        return False
    retried_at = min(later)
    return any(accepted_at - IN_FLIGHT <= kill <= retried_at for kill in kills)


def assert_delivered(outcome: WorkerOutcome, messages: int, kills: int) -> None:
    assert len(outcome.kills) == kills
    assert outcome.lost == []
    assert outcome.sent_twice_on_record == []
    assert outcome.unexplained == []
    # Each kill can interrupt at most the two sends its worker's threads had in hand.
    assert outcome.duplicates <= 2 * kills


def test_no_answer_is_lost_when_outbox_workers_are_killed_mid_send(
    harness_database: Database, tmp_path: Path
) -> None:
    outcome = worker_kill_run(harness_database, tmp_path, 300, 8, 240)

    print("worker kills", outcome.summary(harness_database, queue_mode()))
    assert_delivered(outcome, 300, 8)


@pytest.mark.long
def test_no_answer_is_lost_through_forty_worker_kills_and_three_thousand_answers(
    harness_database: Database, tmp_path: Path
) -> None:
    outcome = worker_kill_run(harness_database, tmp_path, 3000, 40, 1200)

    print("worker kills (long)", outcome.summary(harness_database, queue_mode()))
    assert_delivered(outcome, 3000, 40)


def test_two_live_workers_never_send_one_answer_twice(
    harness_database: Database, tmp_path: Path
) -> None:
    outcome = worker_kill_run(harness_database, tmp_path, 200, 0, 240)

    print("two live workers", outcome.summary(harness_database, queue_mode()))
    assert outcome.lost == []
    assert outcome.duplicates == 0
    assert outcome.sent_twice_on_record == []
