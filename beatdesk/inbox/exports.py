"""The case export as a job: a CSV of the cases a person may see, masked as on screen.

It holds what the case list shows (codes, status, type, unit, the masked resident, times)
and no message text, which may name people; the file goes to the person who asked only.
"""

import csv
import io
import logging
from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from beatdesk.audit.actions import record as audit
from beatdesk.core.jobs import JobInput, JobKind, JobOutcome, Progress, register
from beatdesk.core.models import Job
from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import Case
from beatdesk.units.access import role_roots, units_for
from beatdesk.units.models import User
from beatdesk.units.policy import Action, roles_for

logger = logging.getLogger(__name__)

CASE_EXPORT = "case_export"
WRITING = gettext_noop("Writing the cases")
# Progress is reported after each batch of this many cases.
BATCH = 200
# A spreadsheet runs a cell starting with one of these as a formula; such cells get a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def may_export(user: User) -> bool:
    """Return whether the policy table lets the user export cases at any unit."""
    return bool(role_roots(user, roles_for(Action.EXPORT)))


def exportable_cases(user: User) -> QuerySet[Case]:
    """Return the cases the user may see, of the units where they may also export."""
    return cases_for(user).filter(unit__in=units_for(user, roles_for(Action.EXPORT)))


def run_case_export(job: Job, job_input: JobInput, progress: Progress) -> JobOutcome:
    """Write every case the job's owner may see, as they would see it, and audit the export."""
    user = User.objects.get(pk=job.started_by_id)
    cases = exportable_cases(user).select_related("resident", "unit", "assignee").order_by("pk")
    total = cases.count()
    progress(0, total, WRITING)

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for done, case in enumerate(cases.iterator(chunk_size=BATCH), start=1):
        writer.writerow([_safe(cell) for cell in _row(case)])
        if done % BATCH == 0:
            progress(done, total)

    audit("cases.exported", job, actor=user, cases=total)
    name = f"cases-{timezone.localtime():%Y%m%d-%H%M}.csv"
    # A byte-order mark, so that spreadsheet programs read the Chinese text as UTF-8.
    data = "\ufeff".encode() + out.getvalue().encode()
    counts = [(gettext_noop("Cases exported"), total)]
    return JobOutcome(result={"counts": counts}, file_name=name, file_data=data)


def _header() -> list[str]:
    return [
        _("Tracking code"),
        _("Status"),
        _("Type"),
        _("Responsible unit"),
        _("Resident"),
        _("Assigned to"),
        _("Opened"),
        _("Last message"),
        _("Deadline"),
    ]


def _row(case: Case) -> Iterable[str]:
    return [
        case.tracking_code,
        case.get_status_display(),
        case.get_case_type_display(),
        case.unit.name,
        case.resident_label,
        str(case.assignee) if case.assignee else "",
        _when(case.opened_at),
        _when(case.last_message_at),
        _when(case.deadline),
    ]


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


register(
    JobKind(
        kind=CASE_EXPORT,
        label=gettext_lazy("Case export"),
        start_label=gettext_lazy("Export my cases as a spreadsheet (CSV)"),
        runner=run_case_export,
        start_url="inbox:case_export",
        may_start=may_export,
    )
)
