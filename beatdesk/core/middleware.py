"""One log line per request, with timing and no personal data (no query string, no body)."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("beatdesk.requests")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        elapsed_ms = (time.monotonic() - started) * 1000

        # The path can carry an account code but never message text; the query string can
        # carry signatures and openids, so it is left out.
        logger.info(
            "method=%s path=%s status=%s ms=%.1f",
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
        )
        return response
