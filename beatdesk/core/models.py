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
