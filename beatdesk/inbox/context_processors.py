"""The emergency banner: open emergencies nobody has acknowledged, on every staff page."""

from django.http import HttpRequest

from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import OPEN_STATUSES, Priority
from beatdesk.units.models import User


def emergencies(request: HttpRequest) -> dict[str, object]:
    """Count the unacknowledged open emergencies of the user's units (none when signed out)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    waiting = cases_for(user).filter(
        priority=Priority.EMERGENCY,
        status__in=OPEN_STATUSES,
        emergency_acknowledged_at__isnull=True,
    )
    return {"unseen_emergencies": list(waiting.order_by("-last_message_at")[:5])}
