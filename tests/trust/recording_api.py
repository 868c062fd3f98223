"""A OneBot API that notes when it accepted each message, keyed by the outbox row it names.

OneBot's send calls carry no idempotency key, so every answer the harness queues names its
own outbox key in its text, and this fake reads it back. It wraps the shared fake OneBot
API (token check, NapCat's envelope) and adds what the worker kill test needs: the moment
of each acceptance, and a delay before answering, as a distant platform has.
"""

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from beatdesk.channels.fakes import FakeAnswer, LoopbackFake, LoopbackServer
from beatdesk.channels.onebot.fake_api import SEND_ACTIONS, FakeOneBotAPI

OUTBOX_KEY = re.compile(r"trust-out-[0-9]{6}")


@dataclass(frozen=True)
class Accepted:
    key: str
    at: float


class QuietServer(LoopbackServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet: a killed worker drops its connection mid-answer, and that is the test."""


class RecordingOneBotAPI(LoopbackFake):
    """Answer as NapCat does; remember each accepted message's outbox key and time."""

    label = "recording OneBot API"

    def __init__(self, access_token: str, self_id: str, answer_delay: float) -> None:
        super().__init__()
        self.api = FakeOneBotAPI(access_token, self_id)
        self.answer_delay = answer_delay
        self._accepted: list[Accepted] = []
        self._lock = threading.Lock()

    def _make_server(self, address: tuple[str, int]) -> LoopbackServer:
        return QuietServer(address, self.handler, self)

    @property
    def accepted(self) -> list[Accepted]:
        with self._lock:
            return list(self._accepted)

    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: dict[str, str]
    ) -> FakeAnswer:
        result = self.api.answer(method, path, query, raw, headers)
        if path.strip("/") in SEND_ACTIONS and _succeeded(result.payload):
            # Accepted now: the platform delivers it whatever happens to the caller later.
            found = OUTBOX_KEY.search(raw.decode("utf-8", "replace"))
            with self._lock:
                self._accepted.append(Accepted(found.group(0) if found else "", time.time()))
            time.sleep(self.answer_delay)
        return result


def _succeeded(payload: dict[str, Any] | None) -> bool:
    return payload is not None and payload.get("retcode") == 0
