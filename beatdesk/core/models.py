"""Rows the platform keeps about itself rather than about police work."""

import socket

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beatdesk.core.secrets import EncryptedBinaryField


class WorkerHeartbeat(models.Model):
    """The last time a worker on a given host ran its periodic heartbeat.

    Huey's own store says nothing durable about whether anyone consumes it, so the health
    endpoint reads this row instead: a silent worker shows as an ageing heartbeat.
    """

    host = models.CharField(max_length=255, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.host} {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @staticmethod
    def this_host() -> str:
        return socket.gethostname()[:255]


class RateCounter(models.Model):
    """How often one client did one thing in one time window; shared by every process.

    `key` is a digest of the purpose and the client (address or user name), so no address
    or name is stored.
    """

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="one_counter_per_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key[:8]} {self.count}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A piece of long work (an import, an export) that the worker runs for one person.

    The row is the durable record: who asked, how it went, and the result to come back to.
    Live progress while it runs is kept beside it (see `core.jobs.Progress`).
    """

    kind = models.CharField(_("kind"), max_length=32)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    # The language of the page that started the job, so its messages come out in it too.
    language = models.CharField(max_length=16, blank=True)
    step = models.CharField(_("step"), max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # An uploaded file may carry account secrets: kept encrypted, and emptied once the job ends.
    input_name = models.CharField(max_length=200, blank=True)
    input_data = EncryptedBinaryField(blank=True, default=b"")
    # What the kind of job needs besides the file, such as the unit a lexicon belongs to.
    params = models.JSONField(default=dict, blank=True)
    # Counts and line-numbered problems, as the job's kind writes them.
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    # An export holds what residents wrote: encrypted like the rows it was made from.
    result_data = EncryptedBinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in {JobStatus.QUEUED, JobStatus.RUNNING}
