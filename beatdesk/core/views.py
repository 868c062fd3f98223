from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from beatdesk.core.access import access_job_by_id, jobs_for
from beatdesk.core.jobs import kind_named, kinds_startable_by, live_progress
from beatdesk.core.models import Job, JobStatus, WorkerHeartbeat

# The jobs page lists this many of the newest; older ones stay in the database.
JOB_LIST_SIZE = 50
# The kinds of file jobs write, by suffix; anything else is served as plain bytes.
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("inbox:case_list")
    return redirect("portal:track")


def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether the web process reaches its database and when a worker last beat.

    `worker_seconds_ago` is null until a worker has run once; more than a few minutes
    means answers and sweeps are not being processed.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    last_beat = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    seconds_ago = None
    if last_beat is not None:
        seconds_ago = max(0, int((timezone.now() - last_beat).total_seconds()))
    return JsonResponse({"status": "ok", "worker_seconds_ago": seconds_ago})


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's own jobs, newest first, and the kinds of job they may start."""
    jobs = jobs_for(request.user)[:JOB_LIST_SIZE]
    rows = [(job, _kind_label(job)) for job in jobs]
    context = {"rows": rows, "startable": kinds_startable_by(request.user)}
    return render(request, "core/job_list.html", context)


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job: its progress while it runs (polled by htmx), then its result."""
    job = access_job_by_id(request.user, job_id)
    template = "core/job_detail.html"
    if request.headers.get("HX-Request") == "true":
        template += "#job-status"
    return render(request, template, _job_context(job))


@login_required
def job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """The file a finished job made, for the person who started it only."""
    job = access_job_by_id(request.user, job_id)
    if job.status != JobStatus.DONE or not job.result_name:
        raise Http404("This job has no file")
    content_type = CONTENT_TYPES.get(PurePath(job.result_name).suffix, "application/octet-stream")
    response = HttpResponse(bytes(job.result_data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    # A shared computer's browser cache must not keep a list of cases.
    add_never_cache_headers(response)
    return response


def _kind_label(job: Job) -> str:
    kind = kind_named(job.kind)
    return str(kind.label) if kind is not None else job.kind


def _job_context(job: Job) -> dict[str, object]:
    done, total, step = job.done, job.total, job.step
    reported = live_progress(job) if job.status == JobStatus.RUNNING else None
    if reported is not None:
        done, total, step = reported.done, reported.total, reported.step
    percent = round(100 * done / total) if total else 0
    return {
        "job": job,
        "label": _kind_label(job),
        "done": done,
        "total": total,
        "step": step,
        "percent": percent,
    }
