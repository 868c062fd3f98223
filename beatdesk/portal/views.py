"""The public portal: residents follow their case with the tracking code they were given."""

import logging
import unicodedata

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from beatdesk.core.ratelimit import TRACKING_LOOKUPS, client_address, exceeded, note
from beatdesk.inbox.models import Case, Direction

logger = logging.getLogger(__name__)


def _normalised(code: str) -> str:
    # Phones type full-width letters in Chinese input mode; NFKC makes them ASCII.
    code = unicodedata.normalize("NFKC", code[:64])
    return "".join(code.split()).replace("-", "").upper()[:16]


def track(request: HttpRequest) -> HttpResponse:
    """Show a case's status and the officers' answers to whoever holds its tracking code."""
    code = _normalised(request.GET.get("code", ""))
    client = client_address(request)
    if code and exceeded(TRACKING_LOOKUPS, client):
        # Codes are short enough to guess given enough tries; wrong guesses are counted.
        context: dict[str, object] = {"code": "", "case": None, "searched": False, "limited": True}
        return render(request, "portal/track.html", context, status=429)
    case = Case.objects.select_related("unit").filter(tracking_code=code).first() if code else None
    answers = []
    if case is not None:
        # Only what officers wrote to the resident: the resident's own words stay private.
        answers = list(
            case.messages.filter(direction=Direction.OUTBOUND, is_automatic=False)
            .select_related("outbox")
            .order_by("sent_at")
        )
    elif code:
        note(TRACKING_LOOKUPS, client)
        logger.info("portal tracking code not found")
    status = 404 if code and case is None else 200
    context = {"code": code, "case": case, "answers": answers, "searched": bool(code)}
    return render(request, "portal/track.html", context, status=status)
