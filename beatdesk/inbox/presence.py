"""Who else has a case open: read from the audited readings of the case page."""

from datetime import datetime, timedelta

from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.inbox.models import Case
from beatdesk.units.models import User

# Long enough to cover reading a case and writing an answer, short enough to be news.
RECENT_READING = timedelta(minutes=5)


def others_reading(case: Case, user: User, now: datetime | None = None) -> list[User]:
    """Return the other people who opened the case page in the few minutes before `now`."""
    since = (now or timezone.now()) - RECENT_READING
    readers = (
        AuditRecord.objects.filter(
            action="case.viewed",
            object_type="inbox.case",
            object_id=str(case.pk),
            at__gte=since,
            actor__isnull=False,
        )
        .exclude(actor=user)
        .values_list("actor_id", flat=True)
        .distinct()
    )
    return list(User.objects.filter(pk__in=list(readers)).order_by("pk"))
