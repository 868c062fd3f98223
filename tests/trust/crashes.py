"""Deliver everything to the real server while killing it, resending what was not answered.

Platforms resend a push they got no answer for; so does this client, a few connections at
once, until every delivery is acknowledged or its time is up. Meanwhile the server is
killed with SIGKILL at random moments spread over the run and started again.
"""

import http.client
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from tests.trust.channels import Channel, marker, send
from tests.trust.sites import Server

MAX_ATTEMPTS_PER_DELIVERY = 200


@dataclass(frozen=True)
class Planned:
    channel: Channel
    number: int

    @property
    def label(self) -> tuple[str, str]:
        return (self.channel.code, marker(self.number))


@dataclass
class Run:
    """What happened: which deliveries were acknowledged, and how hard it was."""

    acknowledged: set[tuple[str, str]] = field(default_factory=set)
    attempts: int = 0
    given_up: list[tuple[str, str]] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, planned: Planned, acknowledged: bool) -> None:
        with self.lock:
            self.attempts += 1
            if acknowledged:
                self.acknowledged.add(planned.label)


def plan(channels: list[Channel], total: int) -> list[Planned]:
    """Spread `total` deliveries over the channels, interleaved as real traffic is."""
    return [Planned(channels[n % len(channels)], n) for n in range(1, total + 1)]


class Sender:
    """Threads that send and resend until each planned delivery is acknowledged."""

    def __init__(self, server: Server, planned: list[Planned], run: Run, deadline: float) -> None:
        self.server = server
        self.pending = deque(planned)
        self.tries = dict.fromkeys([p.label for p in planned], 0)
        self.run = run
        self.deadline = deadline
        self.in_flight = 0
        self.lock = threading.Lock()

    def _again(self, planned: Planned) -> None:
        with self.lock:
            self.tries[planned.label] += 1
            if self.tries[planned.label] >= MAX_ATTEMPTS_PER_DELIVERY:
                self.run.given_up.append(planned.label)
            else:
                self.pending.append(planned)

    def _deliver(self, planned: Planned) -> bool:
        request = planned.channel.request(planned.number)
        try:
            answer = send(self.server.port, request)
        except (OSError, http.client.HTTPException):
            # A kill can cut an answer after its headers (IncompleteRead): not delivered.
            return False
        return planned.channel.acknowledged(request, answer)

    def work(self) -> None:
        """Send until nothing is left to send (or to wait for), or the time is up."""
        while time.monotonic() < self.deadline:
            planned = self._take()
            if planned is None:
                if self._finished():
                    return
                time.sleep(0.01)
                continue
            acknowledged = self._deliver(planned)
            self.run.note(planned, acknowledged)
            if not acknowledged:
                self._again(planned)
            self._done_with_one()
            if not acknowledged:
                # The server is probably starting again: wait a little, as platforms do.
                time.sleep(random.uniform(0.1, 0.3))

    def _take(self) -> Planned | None:
        with self.lock:
            if not self.pending:
                return None
            self.in_flight += 1
            return self.pending.popleft()

    def _done_with_one(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def _finished(self) -> bool:
        with self.lock:
            return not self.pending and self.in_flight == 0


def deliver_while_killing(
    server: Server, planned: list[Planned], kills: int, connections: int, seconds: float
) -> Run:
    """Send every planned delivery through `connections` threads, killing the server `kills`
    times at moments spread at random over the run; return what was acknowledged."""
    run = Run()
    started = time.monotonic()
    sender = Sender(server, planned, run, started + seconds)
    threads = [threading.Thread(target=sender.work, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()

    for threshold in sorted(random.sample(range(len(planned) // 20, len(planned)), kills)):
        _wait_until_acknowledged(run, threshold, sender.deadline)
        # A few milliseconds more, so the kill falls anywhere inside a request.
        time.sleep(random.uniform(0, 0.03))
        run.kills.append(server.kill())
        server.restart()

    for thread in threads:
        thread.join(timeout=max(1.0, sender.deadline - time.monotonic() + 15))
    run.seconds = time.monotonic() - started
    return run


def _wait_until_acknowledged(run: Run, count: int, deadline: float) -> None:
    while len(run.acknowledged) < count and time.monotonic() < deadline:
        time.sleep(0.002)
