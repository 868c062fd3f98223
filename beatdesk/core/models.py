"""Rows the platform keeps about itself rather than about police work."""

import socket

from django.db import models


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
