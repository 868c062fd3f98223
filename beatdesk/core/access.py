"""Who may see which jobs: only the person who started one."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from beatdesk.core.models import Job


def jobs_for(user: Any) -> QuerySet[Job]:
    """Return the jobs the user started; nobody else's, whatever their roles."""
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(started_by=user)


def access_job_by_id(user: Any, job_id: int) -> Job:
    """Return one of the user's own jobs; any other id is simply not found."""
    job = jobs_for(user).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job")
    return job
