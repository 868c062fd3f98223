"""Open311 GeoReport v2 at /open311/v2/: services, service definitions, and requests.

Civic apps post without an API key: we issue none, so a key sent is ignored, and posting
is limited per client address like the portal's form. The public record of a request
says what kind of matter it is, which unit handles it, when, and whether it is closed;
never the resident's words, place, contact or media, which could identify a resident, a
victim or a tipster. The tracking code, which opens the officers' answers, goes only to
the app that posted the request, in its service_notice.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from beatdesk.core.ratelimit import PORTAL_SUBMISSIONS, client_address, exceeded, note
from beatdesk.inbox.models import Case, CaseStatus, CaseType
from beatdesk.portal.actions import do_store_service_request
from beatdesk.portal.adapter import process_delivery
from beatdesk.portal.models import Jurisdiction, ServiceRequest
from beatdesk.portal.open311.formats import Row, errors, respond
from beatdesk.portal.open311.schemas import NewRequest, Open311Error, parse_new_request
from beatdesk.portal.submissions import RESIDENT_TYPES, Submission

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
CLOSED = [CaseStatus.RESOLVED, CaseStatus.CLOSED]
DESCRIPTIONS = {
    CaseType.CONSULTATION: gettext_lazy(
        "Questions about police services, such as identity cards, residence or permits."
    ),
    CaseType.HELP: gettext_lazy("You or someone near you needs help that is not an emergency."),
    CaseType.TIP: gettext_lazy("Information about a crime or something suspicious."),
    CaseType.SUGGESTION: gettext_lazy("Ideas for keeping your neighbourhood safe."),
    CaseType.COMPLAINT: gettext_lazy("Something the police did or failed to do."),
}

View = Callable[..., HttpResponse]


def open311_errors(view: View) -> View:
    """Answer refusals in the spec's error format, in the format the address asked for."""

    @wraps(view)
    def wrapper(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as error:
            logger.info("open311 refused status=%s path=%s", error.status, request.path)
            return errors(fmt, error.status, error.description)

    return wrapper


def _only(request: HttpRequest, *methods: str) -> None:
    if request.method not in methods:
        raise Open311Error(405, f"use {' or '.join(methods)}")


def _jurisdiction(params: QueryDict) -> Jurisdiction:
    """Return the jurisdiction asked for; it may be left out while only one is served."""
    code = str(params.get("jurisdiction_id", "")).strip()
    active = Jurisdiction.objects.filter(is_active=True).select_related("unit")
    if code:
        found = active.filter(code=code).first()
        if found is None:
            raise Open311Error(404, "jurisdiction_id was not found")
        return found
    served = list(active[:2])
    if len(served) != 1:
        raise Open311Error(400, "jurisdiction_id was not provided")
    return served[0]


def _w3(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _service_row(code: str) -> Row:
    return {
        "service_code": code,
        "service_name": str(CaseType(code).label),
        "description": str(DESCRIPTIONS[CaseType(code)]),
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "police",
    }


@open311_errors
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """List the services: one per message type a resident may choose."""
    _only(request, "GET")
    _jurisdiction(request.GET)
    return respond(fmt, "services", [_service_row(code) for code in RESIDENT_TYPES])


@open311_errors
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """Define one service; ours ask nothing beyond the standard fields."""
    _only(request, "GET")
    _jurisdiction(request.GET)
    if code not in RESIDENT_TYPES:
        raise Open311Error(404, "service_code was not found")
    return respond(fmt, "service_definition", {"service_code": code, "attributes": []})


@csrf_exempt
@open311_errors
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """Create a request (POST, form data) or list requests (GET)."""
    _only(request, "GET", "POST")
    if request.method == "POST":
        return _create(request, fmt)
    jurisdiction = _jurisdiction(request.GET)
    found = _filtered(_requests_of(jurisdiction), request.GET)[:MAX_RESULTS]
    return respond(fmt, "service_requests", [_public_row(item) for item in found])


@open311_errors
def service_request(request: HttpRequest, fmt: str, public_id: str) -> HttpResponse:
    """Show one request's public record."""
    _only(request, "GET")
    found = _requests_of(_jurisdiction(request.GET)).filter(public_id=public_id).first()
    if found is None:
        raise Open311Error(404, "service_request_id was not found")
    return respond(fmt, "service_requests", [_public_row(found)])


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_body(request)
    client = client_address(request)
    if exceeded(PORTAL_SUBMISSIONS, client):
        raise Open311Error(429, "too many requests from this address; try again in ten minutes")
    note(PORTAL_SUBMISSIONS, client)

    jurisdiction = _jurisdiction(request.POST)
    posted = parse_new_request(request.POST)
    stored = do_store_service_request(jurisdiction, posted.service_code, _submission(posted))
    try:
        reply = process_delivery(stored.delivery)
    except Exception:
        # Stored and committed: the sweep hands it to the inbox within the minute.
        logger.exception("open311 request processing failed delivery=%s", stored.delivery_id)
        reply = ""
    row: Row = {
        "service_request_id": stored.public_id,
        "service_notice": reply or _pending_notice(jurisdiction),
        "account_id": None,
    }
    return respond(fmt, "service_requests", [row])


def _check_body(request: HttpRequest) -> None:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise Open311Error(413, "the request body is too large")
    # The spec posts form data only; an XML or JSON body is refused before anything reads it.
    if request.content_type != "application/x-www-form-urlencoded":
        raise Open311Error(400, "post form data (application/x-www-form-urlencoded)")


def _submission(posted: NewRequest) -> Submission:
    return Submission(
        via="open311",
        case_type=posted.service_code,
        text=posted.description,
        sent_at=timezone.now(),
        name=posted.name,
        phone=posted.phone,
        email=posted.email,
        address=posted.address,
        latitude=posted.latitude,
        longitude=posted.longitude,
        media_url=posted.media_url,
    )


def _pending_notice(jurisdiction: Jurisdiction) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Received. It reaches %(unit)s within a few minutes. In an emergency, call 110 now."
        ) % {"unit": jurisdiction.unit.name}


def _requests_of(jurisdiction: Jurisdiction) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(jurisdiction=jurisdiction).select_related(
        "jurisdiction__unit", "delivery__message__case__unit"
    )


def _split(params: QueryDict, name: str) -> list[str]:
    return [part.strip() for part in str(params.get(name, "")).split(",") if part.strip()]


def _filtered(found: QuerySet[ServiceRequest], params: QueryDict) -> QuerySet[ServiceRequest]:
    ids = _split(params, "service_request_id")
    if ids:
        # The spec: a list of ids overrides every other argument.
        return found.filter(public_id__in=ids[:MAX_RESULTS])
    start, end = _date_range(params)
    found = found.filter(requested_at__gte=start, requested_at__lte=end)
    codes = _split(params, "service_code")
    if codes:
        found = found.filter(service_code__in=codes)
    statuses = set(_split(params, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    closed = Q(delivery__message__case__status__in=CLOSED)
    if statuses == {"open"}:
        found = found.exclude(closed)
    elif statuses == {"closed"}:
        found = found.filter(closed)
    return found


def _date(params: QueryDict, name: str) -> datetime | None:
    raw = str(params.get(name, "")).strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(
            400, f"{name} is not a w3 date-time such as 2010-01-01T00:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone (Z or an offset)")
    return moment


def _date_range(params: QueryDict) -> tuple[datetime, datetime]:
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start and end and (end < start or end - start > MAX_SPAN):
        raise Open311Error(400, "start_date and end_date may span at most 90 days")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    return start, end if end is not None else start + MAX_SPAN


def _public_row(item: ServiceRequest) -> Row:
    message = getattr(item.delivery, "message", None)
    case: Case | None = message.case if message is not None else None
    unit = case.unit if case is not None else item.jurisdiction.unit
    closed = case is not None and case.status in CLOSED
    return {
        "service_request_id": item.public_id,
        "status": "closed" if closed else "open",
        "status_notes": None,
        "service_name": str(CaseType(item.service_code).label),
        "service_code": item.service_code,
        "description": None,
        "agency_responsible": unit.name,
        "service_notice": None,
        "requested_datetime": _w3(item.requested_at),
        "updated_datetime": _w3(case.status_changed_at if case else item.requested_at),
        "expected_datetime": _w3(case.deadline if case else None),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
