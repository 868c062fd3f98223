"""The emergency banner on every staff page, worked out only when a page shows it."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from beatdesk.inbox.alerts import emergency_alerts_for
from beatdesk.units.models import User


def emergencies(request: HttpRequest) -> dict[str, object]:
    """Offer the user's emergency alerts to the templates (nothing when signed out).

    Lazy, because partial pages (a polled list, the readers note) render without the banner
    and should not pay for its queries.
    """
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"emergency_alerts": SimpleLazyObject(lambda: emergency_alerts_for(user))}
