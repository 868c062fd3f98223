"""WSGI entry point, with chunked request bodies made visible to Django.

Django reads exactly CONTENT_LENGTH bytes of a request body and treats a body without that
header as empty. WeChat and proxies may send webhook bodies with Transfer-Encoding:
chunked, which gunicorn decodes but cannot announce a length for. This wrapper reads such a
body (up to a limit) and sets CONTENT_LENGTH so the view sees every byte.
"""

import io
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beatdesk.settings")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# Larger than any webhook limit, so the view still answers 413 on its own terms.
CHUNKED_READ_LIMIT = 4 * 1024 * 1024


def _read_bounded(stream: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(65536, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


class ChunkedBodyMiddleware:
    """Buffer a chunked request body and give it a CONTENT_LENGTH."""

    def __init__(self, app: WSGIApp, limit: int = CHUNKED_READ_LIMIT) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            body = _read_bounded(environ["wsgi.input"], self.limit)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


application = ChunkedBodyMiddleware(get_wsgi_application())
