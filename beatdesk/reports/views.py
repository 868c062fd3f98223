"""The reports page and its report file: thin over the scope, the figures and the job."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from beatdesk.core.actions import JobRefused, do_start_job
from beatdesk.reports.access import (
    REPORT_FILE_ROLES,
    access_report_scope,
    may_prepare_report_file,
    report_units_for,
)
from beatdesk.reports.figures import local_days
from beatdesk.reports.forms import ReportFileForm, ReportFilterForm
from beatdesk.reports.report import report_charts
from beatdesk.reports.report_jobs import REPORT_FILE
from beatdesk.units.models import User

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """Charts of case and message volume, answer times and on-time rates, with numbers."""
    user = _user(request)
    form = ReportFilterForm(request.GET or None, units=report_units_for(user))
    scope = access_report_scope(user, form.chosen_unit())

    now = timezone.now()
    days = local_days(now, form.chosen_days())
    charts = report_charts(scope, days, now)
    logger.info("report shown user=%s units=%s days=%s", user.pk, len(scope.tops), len(days))
    context = {
        "form": form,
        "charts": charts,
        "scope": scope,
        "first_day": days[0],
        "today": days[-1],
        "zone": settings.TIME_ZONE,
        "may_prepare_file": may_prepare_report_file(user),
        "file_params": form.chosen_params(),
    }
    return render(request, "reports/reports.html", context)


@login_required
@require_POST
def report_file(request: HttpRequest) -> HttpResponse:
    """Ask the worker for the report as a workbook, with the page's filters; its job follows.

    Filters are checked whole here: a file made with a filter quietly dropped would not be
    the report its maker asked for, so any bad one refuses the request and starts nothing.
    """
    user = _user(request)
    if not may_prepare_report_file(user):
        raise PermissionDenied("The policy table gives this person no right to export")
    form = ReportFileForm(request.POST, units=report_units_for(user, REPORT_FILE_ROLES))
    if not form.is_valid():
        return _refused(request, form, [], status=400)
    try:
        job = do_start_job(user, REPORT_FILE, params=form.chosen_params())
    except JobRefused as refusal:
        return _refused(request, form, [str(refusal)], status=429)
    return redirect("jobs:detail", job.pk)


def _refused(
    request: HttpRequest, form: ReportFileForm, reasons: list[str], *, status: int
) -> HttpResponse:
    """Say why no file was started: each bad filter by its name, or the limit on jobs."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        reasons.extend(f"{label}: {error}" if label else str(error) for error in errors)
    logger.info("report file refused status=%s", status)
    return render(request, "reports/report_file_refused.html", {"reasons": reasons}, status=status)
