"""What every local fake of a channel's API shares: a JSON server on 127.0.0.1 in a thread.

A fake supplies `answer(method, path, query, raw, headers)`; the handler here reads the
request, asks the fake, and writes its JSON answer (or drops the connection).
"""

import json
import signal
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Literal, Protocol, Self
from urllib.parse import parse_qsl, urlsplit

MAX_BODY_BYTES = 1 << 20

# How a fake can be told to break a call: answer HTTP 500, or close the connection unanswered.
BreakKind = Literal["http_500", "close"]


class FakeAnswer(Protocol):
    """What a fake answers: an HTTP status and a JSON body, or a dropped connection."""

    status: int
    payload: dict[str, Any] | None
    close: bool


@dataclass
class Answer:
    """A fake's answer as most fakes build it; each may add a property reading its error code."""

    status: int
    payload: dict[str, Any] | None = None
    close: bool = False


class Answering(Protocol):
    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: dict[str, str]
    ) -> FakeAnswer: ...


class LoopbackServer(ThreadingHTTPServer):
    """The HTTP server, holding the fake its handlers answer from."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], api: Answering
    ) -> None:
        super().__init__(address, handler)
        self.api = api


class JsonHandler(BaseHTTPRequestHandler):
    """Reads a request, asks the fake, writes its JSON; subclasses set the content type."""

    server: LoopbackServer
    # The real APIs keep connections alive, and so do the clients under test.
    protocol_version = "HTTP/1.1"
    content_type = "application/json; charset=utf-8"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: each fake logs one line per request itself."""

    def encode(self, payload: dict[str, Any]) -> bytes:
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        result = self.server.api.answer(method, url.path, query, raw, headers)
        if result.close:
            self.close_connection = True
            return
        body = b"" if result.payload is None else self.encode(result.payload)
        self.send_response(result.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            # The unread rest would be taken for the next request, so drop the connection.
            self.close_connection = True
        return self.rfile.read(min(length, MAX_BODY_BYTES)) if length > 0 else b""


class LoopbackFake:
    """Start, stop and address of a fake API; subclasses say which server answers."""

    label = "fake API"
    handler: type[JsonHandler] = JsonHandler

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None

    def _make_server(self, address: tuple[str, int]) -> LoopbackServer:
        return LoopbackServer(address, self.handler, self)  # type: ignore[arg-type]

    def start(self) -> str:
        """Start serving on 127.0.0.1 and return the base URL, e.g. http://127.0.0.1:PORT."""
        if self._server is None:
            self._server = self._make_server(("127.0.0.1", self._port))
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"the {self.label} is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"


def serve_until_stopped(fake: LoopbackFake) -> int:
    """Serve until SIGINT or SIGTERM, after printing the base URL on its own line."""
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with fake as api:
        print(api.base_url, flush=True)
        stopping.wait()
    return 0
