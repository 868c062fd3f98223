"""The worker's own heartbeat, so operators can see that background work is running."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

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
