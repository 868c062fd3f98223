from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from beatdesk.core.models import WorkerHeartbeat


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
