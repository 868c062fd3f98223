"""What every local fake of a channel's API shares: serving on 127.0.0.1 in a thread."""

import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self


class LoopbackFake:
    """Start, stop and address of a fake API; subclasses say which server answers."""

    label = "fake API"

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _make_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        raise NotImplementedError

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
