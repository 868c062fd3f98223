"""The matrix page, where an operator uploads a matrix file for the worker to import, and
the alerts page, where a member of staff binds their own WeChat or QQ.

Beside the matrix page are the column guide and a sample file, both made from the column
definitions the import itself reads (`matrix_columns.py`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beatdesk.channels.access import access_binding_by_id, accounts_for_binding, bindings_of
from beatdesk.channels.bindings import (
    CODE_LIFETIME,
    BindingError,
    carries_alerts,
    do_issue_code,
    do_remove_binding,
)
from beatdesk.channels.forms import MatrixFileForm
from beatdesk.channels.matrix_columns import MATRIX_COLUMNS, sample_csv
from beatdesk.channels.matrix_jobs import MATRIX_IMPORT
from beatdesk.channels.matrix_scope import IMPORT_ROLES, may_import
from beatdesk.core.actions import JobRefused, do_start_job
from beatdesk.units.access import role_roots
from beatdesk.units.models import User

SAMPLE_NAME = "matrix-sample.csv"


def _importer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not may_import(user):
        raise PermissionDenied("Only operators and system administrators import a matrix")
    return user


@login_required
def matrix_import(request: HttpRequest) -> HttpResponse:
    """Take a matrix file and queue its import; the job's page follows it from there."""
    user = _importer(request)
    form = MatrixFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = do_start_job(
                user, MATRIX_IMPORT, input_name=upload.name, input_data=upload.read()
            )
        except JobRefused as refusal:
            messages.error(request, str(refusal))
            return render(request, "channels/matrix_import.html", {"form": form}, status=429)
        return redirect("jobs:detail", job.pk)
    return render(request, "channels/matrix_import.html", {"form": form})


# The alerts page (mounted at /me/alerts/): each person's own bindings, nobody else's.


def _binding_context(user: User, code: str = "") -> dict[str, object]:
    accounts = list(accounts_for_binding(user))
    return {
        "accounts": [(account, carries_alerts(account)) for account in accounts],
        "bindings": list(bindings_of(user)),
        "code": code,
        "code_minutes": int(CODE_LIFETIME.total_seconds() // 60),
    }


@login_required
@require_GET
def alert_bindings(request: HttpRequest) -> HttpResponse:
    """Show the user's bindings and the accounts they may bind their WeChat or QQ to."""
    user = request.user
    assert isinstance(user, User)
    return render(request, "channels/alert_bindings.html", _binding_context(user))


@login_required
@require_POST
def binding_code(request: HttpRequest) -> HttpResponse:
    """Make a one-time binding code and show it, once, on the alerts page."""
    user = request.user
    assert isinstance(user, User)
    try:
        code = do_issue_code(user)
    except BindingError as error:
        messages.error(request, str(error))
        return redirect("me:alerts")
    response = render(request, "channels/alert_bindings.html", _binding_context(user, code))
    # The code binds a phone to this person: no cache or back button may keep it.
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def remove_binding(request: HttpRequest, binding_id: int) -> HttpResponse:
    """Stop alerts reaching one of the user's own WeChat or QQ bindings."""
    user = request.user
    assert isinstance(user, User)
    do_remove_binding(access_binding_by_id(user, binding_id), user)
    messages.success(request, _("The binding is removed: alerts no longer go there."))
    return redirect("me:alerts")


@login_required
@require_GET
def matrix_guide(request: HttpRequest) -> HttpResponse:
    """What each column of the matrix file means, which rows use it and what it takes."""
    _importer(request)
    return render(request, "channels/matrix_guide.html", {"columns": MATRIX_COLUMNS})


@login_required
@require_GET
def matrix_sample(request: HttpRequest) -> HttpResponse:
    """A small matrix file whose new community hangs under the downloader's own unit.

    The importer may import it as it is: its one top row sits under a unit they manage.
    """
    user = _importer(request)
    top = min(role_roots(user, IMPORT_ROLES), key=lambda unit: (unit.depth, unit.path))
    response = HttpResponse(sample_csv(top.code), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{SAMPLE_NAME}"'
    return response
