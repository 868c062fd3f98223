"""Fifty identical deliveries at once, twenty times over: one stored message each, all answered.

Platforms retry while the first try is still being handled, so identical requests arrive
together. Against the real server (gunicorn, several workers, its own database), each
channel's 20 messages sent 50 times at once must leave exactly 20 stored deliveries and 20
inbox messages, and every one of the 1000 requests must be answered as a success: WeChat
with `success`, OneBot with 204, the QQ bot with op 12, Weibo with an empty 200 and the
portal with its receipt page, every time; the automatic answers go out through the worker
and the outbox. A `beatdesk worker` runs beside the server and
must have handed every push to the inbox itself, leaving none for the minute sweep. A new
channel joins by adding its kind to KINDS.
"""

import threading
from collections import Counter
from pathlib import Path

import pytest

from tests.trust.channels import Channel, channel_named, marker, send
from tests.trust.sites import Database, Server, Worker, environment, tool

KINDS = ["wechat", "onebot", "qqbot", "weibo", "portal"]
MESSAGES = 20
COPIES = 50
SERVER_WORKERS = 4
# The worker has this long after the last answer to hand every push to the inbox.
WORKER_DRAIN_SECONDS = 300


def replies_to_identical(server: Server, channel: Channel, number: int, copies: int) -> list[str]:
    """Send `copies` identical deliveries at once; return each answer's reply, or "refused"."""
    request = channel.request(number)
    barrier = threading.Barrier(copies)
    results: list[str] = [""] * copies

    def one(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            answer = send(server.port, request, timeout=60)
        except OSError as error:
            results[index] = f"refused: {type(error).__name__}"
            return
        if not channel.acknowledged(request, answer):
            results[index] = f"refused: {answer.status}"
            return
        results[index] = "ok: " + channel.reply_text(request, answer)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_every_copy_answered(channel: Channel, answers: dict[int, list[str]]) -> None:
    outcomes = Counter(a.split(":")[0] for replies in answers.values() for a in replies)
    assert outcomes == {"ok": MESSAGES * COPIES}
    for replies in answers.values():
        texts = [reply.removeprefix("ok: ") for reply in replies]
        if not channel.replies_in_answer:
            assert not any(texts)
        elif channel.repeats_reply:
            assert len(set(texts)) == 1 and texts[0]
        else:
            assert len([text for text in texts if text]) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_fifty_identical_deliveries_of_twenty_messages_store_twenty_and_all_succeed(
    kind: str, harness_database: Database, tmp_path: Path
) -> None:
    env = environment(harness_database)
    tool(env, "setup", kind)
    channel = channel_named(kind)
    server = Server(env, tmp_path / "server.log", workers=SERVER_WORKERS)
    worker = Worker(env, tmp_path / "worker.log")
    worker.start()
    server.start_and_wait()
    try:
        numbers = range(1, MESSAGES + 1)
        channel.prepare(server.port, list(numbers))
        answers = {n: replies_to_identical(server, channel, n, COPIES) for n in numbers}
        # The inbox step runs in the worker: it must have drained before anything is counted.
        census = tool(env, "census", str(WORKER_DRAIN_SECONDS), waits=WORKER_DRAIN_SECONDS)
    finally:
        server.stop()
        worker.stop()

    assert_every_copy_answered(channel, answers)
    stored = Counter(row["marker"] for row in census["deliveries"])
    assert stored == {marker(n): 1 for n in range(1, MESSAGES + 1)}
    assert [row["messages"] for row in census["deliveries"]] == [1] * MESSAGES
    assert census["finished_by_sweep"] == 0
