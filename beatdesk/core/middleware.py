"""One log line per request, with timing and no personal data (no query string, no body)."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("beatdesk.requests")

SIGNED_IN_AT = "beatdesk_signed_in_at"
LAST_SEEN = "beatdesk_last_seen"


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


class SessionLimitsMiddleware:
    """Sign staff out after 30 idle minutes, and after 12 hours whatever they do.

    A page that refreshes itself (the inbox list polls every 20 seconds) sends
    `X-Beatdesk-Poll: 1` and does not count as activity, or an inbox left open on a desk
    would never time out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and self._expired(request):
            logout(request)
            if request.headers.get("HX-Request") == "true":
                # An htmx swap would put the sign-in page inside the list; reload instead.
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> bool:
        now = int(time.time())
        session = request.session
        signed_in_at = int(session.setdefault(SIGNED_IN_AT, now))
        last_seen = int(session.get(LAST_SEEN, now))
        if now - signed_in_at > settings.SESSION_MAX_SECONDS:
            return True
        if now - last_seen > settings.SESSION_IDLE_SECONDS:
            return True
        # Written at most once a minute, so a busy page does not write the session each time.
        if (
            request.headers.get("X-Beatdesk-Poll") != "1" and now - last_seen >= 60
        ) or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return False
