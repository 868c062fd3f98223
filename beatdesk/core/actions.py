"""Starting a job: the row first, then the worker is woken once the row is committed."""

import logging
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from beatdesk.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

# A person may have this many jobs of one kind waiting or running at once: enough to start
# another while one runs, too few for a held-down button to fill the worker's queue.
MOST_UNFINISHED_JOBS = 3
# The longest file name a job keeps (Job.input_name), and the longest suffix kept whole.
NAME_LENGTH = 200
LONGEST_SUFFIX = 16


class JobRefused(Exception):
    """The job was not started; the message says why, in the reader's language."""


def do_start_job(
    user: Any,
    kind: str,
    *,
    input_name: str = "",
    input_data: bytes = b"",
    params: Mapping[str, str] | None = None,
) -> Job:
    """Queue a job of `kind` for `user`, with the uploaded file it works on, if any.

    Raise JobRefused, and queue nothing, while the user has MOST_UNFINISHED_JOBS of the kind.
    """
    with transaction.atomic():
        _refuse_beyond_the_limit(user, kind)
        job = Job.objects.create(
            kind=kind,
            started_by=user,
            language=translation.get_language() or "",
            input_name=bounded_file_name(input_name),
            input_data=input_data,
            params=dict(params or {}),
        )
        transaction.on_commit(lambda: _wake_worker(job.pk))
    logger.info("job queued job=%s kind=%s", job.pk, kind)
    return job


def bounded_file_name(name: str) -> str:
    """Cut a file name to NAME_LENGTH characters, shortening its stem and keeping its suffix.

    The suffix says how a job reads the file (.csv, .xlsx); cutting it off would turn a
    good file into one of an unknown kind.
    """
    if len(name) <= NAME_LENGTH:
        return name
    suffix = PurePath(name).suffix
    if not suffix or len(suffix) > LONGEST_SUFFIX:
        return name[:NAME_LENGTH]
    return name[: NAME_LENGTH - len(suffix)] + suffix


def _refuse_beyond_the_limit(user: Any, kind: str) -> None:
    # The person's row is locked so that two clicks at once cannot both pass the count
    # (PostgreSQL); SQLite's immediate transactions already run one at a time.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    unfinished = Job.objects.filter(
        started_by=user, kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    )
    if unfinished.count() >= MOST_UNFINISHED_JOBS:
        logger.info("job refused, too many unfinished kind=%s user=%s", kind, user.pk)
        message = _(
            "Nothing was started: you already have %(count)s jobs of this kind waiting or "
            "running. Start another once one of them has ended (see My jobs)."
        )
        raise JobRefused(message % {"count": MOST_UNFINISHED_JOBS})


def _wake_worker(job_id: int) -> None:
    # Imported here because the task module needs the app registry, which actions do not.
    from beatdesk.core.tasks import run_job

    run_job(job_id)
