"""Long work run by the worker for one person: kinds of job, their progress, their end.

Each app registers the kinds it offers (the matrix import, the case export) with a runner.
The worker runs a job by id; the runner reports progress through `Progress` and returns a
`JobOutcome`, which is written to the job's row with the time it ended.

Live progress is kept in Huey's store, not in the job's row: an import holds the database's
write lock for the whole of its one transaction (SQLite allows one writer), so a row written
meanwhile would only show once the import was over. Huey's store is shared by the web and
the worker processes in every set-up (its own SQLite file, Redis, memory in tests).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_noop
from huey.contrib.djhuey import HUEY

from beatdesk.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

# A running job that has reported nothing for this long lost its worker.
STALLED_AFTER = timedelta(minutes=10)
# Progress is written at most this often, however fast the rows go by.
PROGRESS_INTERVAL_SECONDS = 1.0
# Messages kept in English on the row and translated when shown (`{% translate %}`).
STALLED_MESSAGE = gettext_noop(
    "The worker stopped while running this job. Nothing of it was kept; start it again."
)
UNEXPECTED_MESSAGE = gettext_noop("The job stopped on an unexpected error; it was logged.")
# An import refused for its file's problems lists at most this many: a wholly wrong file
# would list every line.
MOST_PROBLEMS = 200
REFUSED_MESSAGE = gettext_noop("Nothing was imported: the file has problems, listed below.")


@dataclass
class JobOutcome:
    """What a job leaves behind: counts and problems, and a file to download, if any."""

    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    file_name: str = ""
    file_data: bytes = b""


def refused(problems: list[str]) -> JobOutcome:
    """The outcome of an all-or-nothing import that a file's problems stopped."""
    return JobOutcome(error=REFUSED_MESSAGE, result={"problems": problems[:MOST_PROBLEMS]})


@dataclass(frozen=True)
class LiveProgress:
    done: int
    total: int
    step: str
    at: datetime


class Progress:
    """Report how far a job has come, written no more than once a second."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self.step = ""
        self._written_at = 0.0

    def __call__(self, done: int, total: int, step: str = "") -> None:
        step = step or self.step
        now = time.monotonic()
        if step == self.step and now - self._written_at < PROGRESS_INTERVAL_SECONDS:
            return
        self.step, self._written_at = step, now
        HUEY.put(_progress_key(self.job_id), (done, total, step, timezone.now()))


JobInput = tuple[str, bytes]
Runner = Callable[[Job, JobInput, Progress], JobOutcome]


@dataclass(frozen=True)
class JobKind:
    """A kind of job an app offers: its runner, its name, and where people start one."""

    kind: str
    label: str | Promise
    start_label: str | Promise
    runner: Runner
    start_url: str
    may_start: Callable[[Any], bool]


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Make `kind` runnable by the worker and listed on the jobs page."""
    _kinds[kind.kind] = kind
    return kind


def kind_named(name: str) -> JobKind | None:
    return _kinds.get(name)


def kinds_startable_by(user: Any) -> list[JobKind]:
    """Return the kinds of job the user may start, for the jobs page's links."""
    return [kind for kind in _kinds.values() if kind.may_start(user)]


def _progress_key(job_id: int) -> str:
    return f"beatdesk-job-progress-{job_id}"


def live_progress(job: Job) -> LiveProgress | None:
    """Return what a running job last reported, or None before its first report."""
    reported = HUEY.get(_progress_key(job.pk), peek=True)
    if reported is None:
        return None
    done, total, step, at = reported
    return LiveProgress(done=done, total=total, step=step, at=at)


def run_job(job_id: int) -> None:
    """Run a queued job to its end and record the outcome; run each job once."""
    job = _claim(job_id)
    if job is None:
        return
    kind = _kinds.get(job.kind)
    progress = Progress(job)
    try:
        with translation.override(job.language or None):
            if kind is None:
                raise LookupError(f"no job kind {job.kind!r} is registered")
            outcome = kind.runner(job, (job.input_name, bytes(job.input_data)), progress)
    except Exception:
        logger.exception("job failed job=%s kind=%s", job.pk, job.kind)
        outcome = JobOutcome(error=UNEXPECTED_MESSAGE)
    _finish(job, outcome)


def _claim(job_id: int) -> Job | None:
    # Two workers woken for the same job: only the one that moves it from queued runs it.
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now()
        )
    if not claimed:
        logger.warning("job not queued, not run job=%s", job_id)
        return None
    return Job.objects.get(pk=job_id)


def _finish(job: Job, outcome: JobOutcome) -> None:
    reported = live_progress(job)
    job.status = JobStatus.FAILED if outcome.error else JobStatus.DONE
    job.error = outcome.error[:300]
    job.result = outcome.result
    job.result_name, job.result_data = outcome.file_name, outcome.file_data
    if reported is not None:
        # The last report may have been held back by the interval; a finished job is whole.
        job.done = reported.done if outcome.error else reported.total
        job.total, job.step = reported.total, reported.step
    job.finished_at = timezone.now()
    job.input_data = b""
    job.save()
    HUEY.delete(_progress_key(job.pk))
    logger.info("job finished job=%s kind=%s status=%s", job.pk, job.kind, job.status)


def fail_stalled_jobs() -> int:
    """Mark failed every running job that has reported nothing for STALLED_AFTER."""
    cutoff = timezone.now() - STALLED_AFTER
    count = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, started_at__lte=cutoff):
        reported = live_progress(job)
        if reported is not None and reported.at > cutoff:
            continue
        count += Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            error=STALLED_MESSAGE,
            finished_at=timezone.now(),
            input_data=b"",
        )
        logger.warning("job stalled, marked failed job=%s kind=%s", job.pk, job.kind)
    return count
