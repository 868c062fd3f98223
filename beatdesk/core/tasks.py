"""The worker's own heartbeat, and the long jobs people start from their pages."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from beatdesk.core import jobs
from beatdesk.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat() -> None:
    """Record that a worker on this host is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        host=WorkerHeartbeat.this_host(), defaults={"beat_at": timezone.now()}
    )


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def heartbeat() -> None:
    """Every minute: note that this host's worker is consuming the task store."""
    beat()


@db_task()  # type: ignore[untyped-decorator]
def heartbeat_now() -> None:
    """Beat at once: `beatdesk worker --check` enqueues this to prove the queue is consumed."""
    beat()


@db_task()  # type: ignore[untyped-decorator]
def run_job(job_id: int) -> None:
    """Run one job that a person started; its row says how it went."""
    jobs.run_job(job_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def fail_stalled_jobs() -> None:
    """Every minute: a job whose worker died is marked failed rather than running forever."""
    failed = jobs.fail_stalled_jobs()
    if failed:
        logger.warning("stalled jobs marked failed count=%s", failed)
