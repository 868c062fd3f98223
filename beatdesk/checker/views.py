"""The checker page, the inline check of the answer box, lexicon editing and `/api/check`."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from beatdesk.checker import openapi
from beatdesk.checker.access import (
    LEXICON_EDIT_ROLES,
    check_unit_for,
    check_units_for,
    lexicon_unit_for,
    lexicons_for,
)
from beatdesk.checker.actions import (
    LexiconError,
    do_allow_term,
    do_remove_term,
    do_set_term,
)
from beatdesk.checker.core import (
    MAX_TEXT_LENGTH,
    Category,
    LexiconEntry,
    Severity,
)
from beatdesk.checker.core.lexicon import DEFAULT_SEVERITIES
from beatdesk.checker.forms import AllowForm, CheckForm, ImportForm, TermForm
from beatdesk.checker.lexicon_jobs import LEXICON_IMPORT
from beatdesk.checker.lexicons import check_at
from beatdesk.checker.models import Lexicon, LexiconTerm
from beatdesk.checker.presentation import result_data, segments
from beatdesk.core.actions import JobRefused, do_start_job
from beatdesk.core.jsonin import JsonInputError, parse_json
from beatdesk.core.ratelimit import API_CHECKS, note
from beatdesk.units.access import units_for
from beatdesk.units.models import User
from beatdesk.units.tokens import user_for_token

logger = logging.getLogger(__name__)

# The JSON body may hold the 100,000-character limit in escaped form: a character beyond the
# basic plane is one character of the text and two escapes of 6 bytes (\ud83d\ude00).
MAX_API_BODY_BYTES = 12 * MAX_TEXT_LENGTH + 4096
# The fields /api/check reads; openapi.py describes the same set.
API_FIELDS = frozenset({"text", "unit", "wrong_characters"})


JSON_MESSAGES = {
    "bad_encoding": gettext_lazy("The body is not UTF-8."),
    "bad_json": gettext_lazy("The body is not valid JSON."),
    "duplicate_key": gettext_lazy("A JSON object repeats a key."),
    "bad_number": gettext_lazy("A number is not allowed here (NaN, Infinity or too large)."),
    "too_deep": gettext_lazy("The JSON nests too deeply."),
    "lone_surrogate": gettext_lazy("The text holds an unpaired surrogate character."),
    "nul_character": gettext_lazy("The text holds a NUL character."),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _unit_choices(user: User) -> list[tuple[str, str]]:
    return [(unit.code, unit.name) for unit in check_units_for(user).order_by("path")]


@login_required
def checker_page(request: HttpRequest) -> HttpResponse:
    """An officer pastes text and sees the findings marked in place, with reasons."""
    user = _user(request)
    choices = _unit_choices(user)
    if not choices:
        raise Http404("No unit to check for")
    form = CheckForm(request.POST or None, units=choices)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        unit = check_unit_for(user, form.cleaned_data["unit"] or None)
        result, _versions = check_at(text, unit, wrong_characters=True)
        context |= {
            "result": result_data(text, result),
            "segments": segments(text, result),
            "unit": unit,
        }
    return render(request, "checker/check.html", context)


@login_required
@require_POST
def check_inline(request: HttpRequest) -> HttpResponse:
    """The findings list for a draft, swapped into the answer box while the officer types."""
    text = request.POST.get("text", "")[:MAX_TEXT_LENGTH]
    unit = check_unit_for(_user(request), request.POST.get("unit") or None)
    result, _versions = check_at(text, unit)
    return render(
        request, "checker/findings.html", {"result": result_data(text, result), "inline": True}
    )


@csrf_exempt
@require_POST
def api_check(request: HttpRequest) -> JsonResponse:
    """Check a text as JSON; described in `/api/openapi.json`."""
    user, refusal = _api_user(request)
    if refusal is not None:
        return refusal
    assert user is not None
    if note(API_CHECKS, f"user:{user.pk}") > API_CHECKS.count:
        return _problem(429, "rate_limited", _("Too many checks; wait a minute and try again."))
    # Judged from the header before reading, so an oversize body is never read into memory.
    declared = request.META.get("CONTENT_LENGTH") or "0"
    # An empty body is no JSON document whatever its type, and gets 400 from the parser.
    if declared != "0" and request.content_type != "application/json":
        return _problem(
            415, "not_json", _("Send the request as JSON (Content-Type: application/json).")
        )
    if not declared.isdigit() or int(declared) > MAX_API_BODY_BYTES:
        return _problem(413, "too_large", _("The request body is too large."))

    text, unit_code, wrong_characters, problem = _check_request(request.body)
    if problem is not None:
        return problem
    if len(text) > MAX_TEXT_LENGTH:
        return _problem(
            413,
            "too_long",
            _("The text has %(count)s characters; at most %(limit)s are checked.")
            % {"count": len(text), "limit": MAX_TEXT_LENGTH},
        )
    try:
        unit = check_unit_for(user, unit_code)
    except Http404:
        return _problem(404, "unknown_unit", _("No unit with that code is yours to check for."))

    result, versions = check_at(text, unit, wrong_characters=wrong_characters)
    body = result_data(text, result) | {"unit": unit.code, "lexicon_versions": versions}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@require_GET
def api_schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.schema(), json_dumps_params={"ensure_ascii": False})


def _api_user(request: HttpRequest) -> tuple[User | None, JsonResponse | None]:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return None, _problem(401, "bad_token", _("The API token is not valid."))
        return user, None

    if not request.user.is_authenticated:
        return None, _problem(401, "not_signed_in", _("Sign in or send an API token."))
    # A session is a browser: it must prove the request came from our own page.
    if CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {}):  # type: ignore[arg-type]
        return None, _problem(403, "csrf", _("The CSRF token is missing or wrong."))
    return _user(request), None


def _check_request(body: bytes) -> tuple[str, str | None, bool, JsonResponse | None]:
    try:
        data = parse_json(body)
    except JsonInputError as error:
        message = JSON_MESSAGES.get(error.code, _("The body must be a JSON object."))
        return "", None, False, _problem(400, error.code, str(message))
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return "", None, False, _problem(400, "bad_text", _('Send {"text": "..."} with the text.'))
    # A misspelt option ("unti") silently ignored would check against the wrong rules.
    unknown = sorted(set(data) - API_FIELDS)
    if unknown:
        message = _("Unknown field: %(name)s.") % {"name": unknown[0][:40]}
        return "", None, False, _problem(400, "unknown_field", message)
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, str):
        return "", None, False, _problem(400, "bad_unit", _("The unit must be a unit code."))
    wrong_characters = data.get("wrong_characters", True)
    if not isinstance(wrong_characters, bool):
        return (
            "",
            None,
            False,
            _problem(400, "bad_option", _("wrong_characters is true or false.")),
        )
    return data["text"], unit, wrong_characters, None


def _problem(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
def lexicon_list(request: HttpRequest) -> HttpResponse:
    """The levels whose wording rules the user looks after."""
    user = _user(request)
    units = units_for(user, LEXICON_EDIT_ROLES).order_by("path")
    layers = {layer.unit_id: layer for layer in lexicons_for(user)}
    rows = [(unit, layers.get(unit.pk)) for unit in units]
    return render(request, "checker/lexicon_list.html", {"rows": rows})


@login_required
def lexicon_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One level's own terms and allowances, with import and editing."""
    user = _user(request)
    unit = lexicon_unit_for(user, code)
    layer = Lexicon.objects.filter(unit=unit).first()
    import_form, term_form, allow_form = ImportForm(), TermForm(), AllowForm()

    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "import":
                import_form = ImportForm(request.POST, request.FILES)
                if import_form.is_valid():
                    # A large file takes the worker longer than a page may wait.
                    upload = import_form.cleaned_data["file"]
                    job = do_start_job(
                        user,
                        LEXICON_IMPORT,
                        input_name=upload.name,
                        input_data=upload.read(),
                        params={"unit": unit.code},
                    )
                    return redirect("jobs:detail", job.pk)
            elif action == "term":
                term_form = TermForm(request.POST)
                if term_form.is_valid():
                    do_set_term(user, unit, _entry_from(term_form.cleaned_data))
                    messages.success(request, _("The term was saved."))
                    return redirect("checker:lexicon_detail", code=unit.code)
            elif action == "allow":
                allow_form = AllowForm(request.POST)
                if allow_form.is_valid():
                    do_allow_term(user, unit, allow_form.cleaned_data["term"])
                    messages.success(request, _("The term is allowed at this level."))
                    return redirect("checker:lexicon_detail", code=unit.code)
            elif action == "remove":
                term_id = request.POST.get("term_id", "")
                term = get_object_or_404(
                    LexiconTerm, pk=int(term_id) if term_id.isdigit() else 0, lexicon__unit=unit
                )
                do_remove_term(user, term)
                messages.success(request, _("The term was removed."))
                return redirect("checker:lexicon_detail", code=unit.code)
        except (LexiconError, JobRefused) as error:
            messages.error(request, str(error))

    terms = layer.terms.all() if layer else LexiconTerm.objects.none()
    return render(
        request,
        "checker/lexicon_detail.html",
        {
            "unit": unit,
            "layer": layer,
            "terms": terms,
            "import_form": import_form,
            "term_form": term_form,
            "allow_form": allow_form,
        },
    )


def _entry_from(data: dict[str, str]) -> LexiconEntry:
    category = Category(data["category"])
    return LexiconEntry(
        term=data["term"].strip(),
        category=category,
        severity=Severity(data["severity"]) if data["severity"] else DEFAULT_SEVERITIES[category],
        reason=data["reason"].strip(),
        suggestion=data["suggestion"].strip() or None,
        exceptions=tuple(cue.strip() for cue in data["exceptions"].split("|") if cue.strip()),
    )
