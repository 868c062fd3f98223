"""Error answers with a stable machine code and a message in the reader's language.

Django's own error pages are bare English HTML whatever the address: a JSON client of the
API or of Open311 would get a page it cannot read, and a Chinese-speaking officer a
sentence they may not. Each answer here takes the shape its address promises.
"""

from collections.abc import Callable

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from beatdesk.core.refusals import ShownRefusal
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
    if not hasattr(request, "user"):
        # Refused before the session was read: the full page would need it.
        body = render_to_string("errors/server_error.html", context)
        return HttpResponse(body, status=status)
    return render(request, "errors/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    code, message = _bad_request_code(exception)
    return _answer(request, 400, code, message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Refuse with 403; a refusal written for the person says why, any other stays general."""
    message = _("You may not do this here.")
    if isinstance(exception, ShownRefusal) and exception.args:
        message = str(exception.args[0])
    if request.headers.get("HX-Request") == "true" and hasattr(request, "user"):
        # htmx puts the answer where the page asked, so it gets the sentence, not a page.
        context = {"status": 403, "code": "forbidden", "message": message}
        return render(request, "errors/error.html#refusal", context, status=403)
    return _answer(request, 403, "forbidden", message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, "not_found", _("There is nothing at this address."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, said plainly: the usual cause is a page left open too long."""
    message = _("This form has expired or did not come from Beatdesk's page. Reload and retry.")
    return _answer(request, 403, "csrf_failed", message)


# Codes for answers a view or Django gave with no body of their own (a 405 from
# require_http_methods, for one); the message is the status's plain meaning.
BARE_STATUS_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
}


def _bare_message(status: int) -> str:
    messages = {
        400: _("The request could not be read."),
        401: _("Sign in first."),
        403: _("You may not do this here."),
        404: _("There is nothing at this address."),
        405: _("This address does not take that kind of request."),
        413: _("What was sent is larger than Beatdesk accepts."),
        429: _("Too many requests; wait a little and try again."),
    }
    return messages.get(status, _("The request could not be served."))


class ErrorBodyMiddleware:
    """Give every empty 4xx answer a stable code and a message, in the address's format."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not 400 <= response.status_code < 500 or request.method == "HEAD":
            return response
        if response.streaming or response.content:
            return response
        status = response.status_code
        code = BARE_STATUS_CODES.get(status, "client_error")
        filled = _answer(request, status, code, _bare_message(status))
        # Headers the status depends on (Allow for 405, Retry-After) stay as the view set them.
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                filled[header] = response[header]
        return filled


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
