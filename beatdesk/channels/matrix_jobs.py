"""The matrix import as a job: a file uploaded on the matrix page, imported by the worker."""

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy, gettext_noop

from beatdesk.audit.actions import record as audit
from beatdesk.channels.matrix import ImportSummary, MatrixError, import_matrix_rows, read_rows
from beatdesk.channels.matrix_scope import Importer, may_import
from beatdesk.core.jobs import JobInput, JobKind, JobOutcome, Progress, refused, register
from beatdesk.core.models import Job
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

MATRIX_IMPORT = "matrix_import"
READING = gettext_noop("Reading the file")
IMPORTING = gettext_noop("Checking and importing the rows")
NO_LONGER_ALLOWED = gettext_noop("Nothing was imported: you may no longer import a matrix.")


def run_matrix_import(job: Job, job_input: JobInput, progress: Progress) -> JobOutcome:
    """Import the uploaded file as its uploader, all or nothing, and audit the import."""
    name, data = job_input
    user = User.objects.get(pk=job.started_by_id)
    # Rights are read again now: a role taken away after the upload no longer imports.
    if not may_import(user):
        return JobOutcome(error=NO_LONGER_ALLOWED)

    progress(0, 0, READING)
    try:
        # Read (and bound) the file before the transaction: on SQLite a transaction holds
        # the one write lock from its start, and every webhook would wait on the reading.
        rows = read_rows(name, data)
        with transaction.atomic():
            summary = import_matrix_rows(
                rows,
                Importer.for_user(user),
                lambda done, total: progress(done, total, IMPORTING),
            )
            _audit_import(job, user, summary)
    except MatrixError as error:
        return refused(error.problems)
    return JobOutcome(result={"counts": _counts(summary)})


def _audit_import(job: Job, user: User, summary: ImportSummary) -> None:
    audit(
        "matrix.imported",
        job,
        actor=user,
        units_created=summary.created["unit"],
        people_created=summary.created["person"],
        accounts_created=summary.created["account"],
        rows=summary.units + summary.people + summary.accounts,
    )


def _counts(summary: ImportSummary) -> list[tuple[str, int]]:
    # Names are kept in English and translated when the page shows them.
    return [
        (gettext_noop("Units created"), summary.created["unit"]),
        (gettext_noop("Units already there"), summary.existing["unit"]),
        (gettext_noop("People created"), summary.created["person"]),
        (gettext_noop("People already there"), summary.existing["person"]),
        (gettext_noop("Accounts created"), summary.created["account"]),
        (gettext_noop("Accounts already there"), summary.existing["account"]),
    ]


register(
    JobKind(
        kind=MATRIX_IMPORT,
        label=gettext_lazy("Matrix import"),
        start_label=gettext_lazy("Import a matrix file"),
        runner=run_matrix_import,
        start_url="matrix:import",
        may_start=may_import,
    )
)
