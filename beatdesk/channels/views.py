"""The matrix page: an operator uploads a matrix file and the worker imports it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from beatdesk.channels.forms import MatrixFileForm
from beatdesk.channels.matrix_jobs import MATRIX_IMPORT
from beatdesk.channels.matrix_scope import may_import
from beatdesk.core.actions import do_start_job
from beatdesk.units.models import User


@login_required
def matrix_import(request: HttpRequest) -> HttpResponse:
    """Take a matrix file and queue its import; the job's page follows it from there."""
    user = request.user
    assert isinstance(user, User)
    if not may_import(user):
        raise PermissionDenied("Only operators and system administrators import a matrix")
    form = MatrixFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = do_start_job(user, MATRIX_IMPORT, input_name=upload.name, input_data=upload.read())
        return redirect("jobs:detail", job.pk)
    return render(request, "channels/matrix_import.html", {"form": form})
