"""The report as a file: the worker counts what the reports page shows and writes a workbook.

The job keeps the page's filters (period, unit) and is run as its maker: the scope is read
again when it runs, within the units where the policy table lets them export, so a file
never holds a unit its maker could not open the page for. Progress moves once per unit of
the on-time table; the file goes to its maker only, and its making is audited.
"""

import logging
from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from beatdesk.audit.actions import record as audit
from beatdesk.core.jobs import JobInput, JobKind, JobOutcome, Progress, register
from beatdesk.core.models import Job
from beatdesk.reports.access import (
    REPORT_FILE_ROLES,
    ReportScope,
    access_report_file_scope,
    may_prepare_report_file,
    report_units_for,
)
from beatdesk.reports.figures import local_days
from beatdesk.reports.forms import ReportFileForm
from beatdesk.reports.presentation import ReportChart
from beatdesk.reports.report import COUNTING, RATING, TIMING, report_charts
from beatdesk.reports.workbook import TableSheet, write_workbook
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

REPORT_FILE = "report_file"
# Steps are kept in English on the job and translated when its page shows them.
STEPS = {
    COUNTING: gettext_noop("Counting cases and messages"),
    TIMING: gettext_noop("Timing the first answers"),
    RATING: gettext_noop("Rating each unit"),
}
NO_LONGER_ALLOWED = gettext_noop(
    "No file was made: you may no longer take a report of these units away."
)


def run_report_file(job: Job, job_input: JobInput, progress: Progress) -> JobOutcome:
    """Count the report its maker asked for, as they may see it now, and write the workbook."""
    user = User.objects.get(pk=job.started_by_id)
    # Rights are read again now: a role taken away since the click gets no file.
    form = ReportFileForm(job.params, units=report_units_for(user, REPORT_FILE_ROLES))
    if not may_prepare_report_file(user) or not form.is_valid():
        return JobOutcome(error=NO_LONGER_ALLOWED)
    scope = access_report_file_scope(user, form.chosen_unit())

    now = timezone.now()
    days = local_days(now, form.chosen_days())
    charts = report_charts(
        scope, days, now, lambda done, total, step: progress(done, total, STEPS[step])
    )
    data = write_workbook(_("About this report"), _about(scope, days, now), _sheets(charts))

    audit("reports.exported", job, actor=user, unit=form.chosen_unit(), days=len(days))
    counts = [
        (gettext_noop("Units rated"), len(charts[-1].table.values)),
        (gettext_noop("Days counted"), len(days)),
    ]
    name = f"report-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    return JobOutcome(result={"counts": counts}, file_name=name, file_data=data)


def _about(scope: ReportScope, days: Sequence[date], now: datetime) -> list[tuple[str, str]]:
    """Say what the file counts, as the page says it above its charts."""
    return [
        (_("Units counted"), ", ".join(unit.name for unit in scope.tops)),
        (_("Days"), f"{days[0]:%Y-%m-%d} – {days[-1]:%Y-%m-%d}"),
        (_("Time zone"), settings.TIME_ZONE),
        (_("Made at"), f"{timezone.localtime(now):%Y-%m-%d %H:%M}"),
    ]


def _sheets(charts: list[ReportChart]) -> list[TableSheet]:
    names = [_("New cases"), _("Messages"), _("First answers"), _("On-time rates")]
    return [
        TableSheet(name=name, title=chart.title, definition=chart.definition, table=chart.table)
        for name, chart in zip(names, charts, strict=True)
    ]


register(
    JobKind(
        kind=REPORT_FILE,
        label=gettext_lazy("Report file"),
        start_label=gettext_lazy("Prepare a report file on the reports page"),
        runner=run_report_file,
        start_url="reports:reports",
        may_start=may_prepare_report_file,
    )
)
