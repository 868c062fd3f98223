"""Error answers with a stable machine code and a message in the reader's language.

Django's own error pages are bare English HTML whatever the address: a JSON client of the
API or of Open311 would get a page it cannot read, and a Chinese-speaking officer a
sentence they may not. Each answer here takes the shape its address promises.
"""

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from beatdesk.portal.open311.formats import errors as open311_errors

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"
HOOKS_PREFIX = "/hooks/"


def _bad_request_code(exception: Exception | None) -> tuple[str, str]:
    if isinstance(exception, TooManyFieldsSent):
        return "too_many_fields", _("The form sent more fields than Beatdesk accepts.")
    if isinstance(exception, TooManyFilesSent):
        return "too_many_files", _("The form sent more files than Beatdesk accepts.")
    if isinstance(exception, RequestDataTooBig):
        return "too_large", _("What was sent is larger than Beatdesk accepts.")
    return "bad_request", _("The request could not be read.")


def _answer(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """Answer in the shape the address promises: JSON, Open311, plain text or a page."""
    path = request.path
    if path.startswith(API_PREFIX):
        return JsonResponse(
            {"error": {"code": code, "message": message}},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    if path.startswith(OPEN311_PREFIX):
        return open311_errors("xml" if path.endswith(".xml") else "json", status, message)
    if path.startswith(HOOKS_PREFIX):
        # Channel platforms read only the status; the code helps whoever reads their logs.
        return HttpResponse(code, status=status, content_type="text/plain; charset=utf-8")
    context = {"status": status, "code": code, "message": message}
    return render(request, "errors/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    code, message = _bad_request_code(exception)
    return _answer(request, 400, code, message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 403, "forbidden", _("You may not do this here."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, "not_found", _("There is nothing at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer a failure without touching the database or the session, which may be the cause."""
    code, message = "server_error", _("Something went wrong on our side. Please try again.")
    path = request.path
    if path.startswith(API_PREFIX) or path.startswith(HOOKS_PREFIX):
        return JsonResponse(
            {"error": {"code": code, "message": message}},
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    if path.startswith(OPEN311_PREFIX):
        return open311_errors("xml" if path.endswith(".xml") else "json", 500, message)
    body = render_to_string("errors/server_error.html", {"code": code, "message": message})
    return HttpResponse(body, status=500)
