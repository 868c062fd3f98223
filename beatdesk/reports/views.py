"""The reports page: thin over the report's scope, its figures and their presentation."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from beatdesk.reports.access import access_report_scope, report_units_for
from beatdesk.reports.figures import (
    daily_case_volume,
    daily_message_volume,
    local_days,
    local_midnight,
    on_time_rates,
    weekly_answer_times,
)
from beatdesk.reports.forms import ReportFilterForm
from beatdesk.reports.presentation import (
    answer_time_chart,
    case_volume_chart,
    message_volume_chart,
    on_time_chart,
)
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
    charts = [
        case_volume_chart(daily_case_volume(scope.cases, days)),
        message_volume_chart(daily_message_volume(scope.cases, days)),
        answer_time_chart(weekly_answer_times(scope.cases, now)),
        on_time_chart(on_time_rates(scope.cases, scope.rate_rows(), local_midnight(days[0]), now)),
    ]
    logger.info("report shown user=%s units=%s days=%s", user.pk, len(scope.tops), len(days))
    context = {
        "form": form,
        "charts": charts,
        "scope": scope,
        "first_day": days[0],
        "today": days[-1],
        "zone": settings.TIME_ZONE,
    }
    return render(request, "reports/reports.html", context)
