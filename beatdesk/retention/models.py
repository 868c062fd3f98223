"""The record that a case's personal data was removed after its retention period."""

from django.db import models


class Purge(models.Model):
    """One case whose messages, deliveries, photos and check excerpts were emptied.

    The case itself stays (type, unit, times, status), so counts and on-time rates over
    past years still add up; only what could identify or describe a person is gone.
    """

    case = models.OneToOneField("inbox.Case", on_delete=models.PROTECT, related_name="purge")
    purged_at = models.DateTimeField()
    messages = models.PositiveIntegerField(default=0)
    deliveries = models.PositiveIntegerField(default=0)
    photos = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"purge of case {self.case_id}"
