"""Starting a job: the row first, then the worker is woken once the row is committed."""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import translation

from beatdesk.core.models import Job
from beatdesk.core.secrets import encrypt_bytes

logger = logging.getLogger(__name__)


def do_start_job(
    user: Any,
    kind: str,
    *,
    input_name: str = "",
    input_data: bytes = b"",
    params: Mapping[str, str] | None = None,
) -> Job:
    """Queue a job of `kind` for `user`, with the uploaded file it works on, if any."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            started_by=user,
            language=translation.get_language() or "",
            input_name=input_name[:200],
            input_data=encrypt_bytes(input_data),
            params=dict(params or {}),
        )
        transaction.on_commit(lambda: _wake_worker(job.pk))
    logger.info("job queued job=%s kind=%s", job.pk, kind)
    return job


def _wake_worker(job_id: int) -> None:
    # Imported here because the task module needs the app registry, which actions do not.
    from beatdesk.core.tasks import run_job

    run_job(job_id)
