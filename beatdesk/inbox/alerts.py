"""The emergency banner: open emergencies nobody has acknowledged, for everyone covering them.

Every staff page shows the banner and asks for it again every few seconds; the page says
which emergencies it already shows, so an unchanged banner costs no swap and is not read
out again by screen readers.

An emergency's case is opened by the worker, ahead of every other push. If no worker is
taking it, the push waits with no case to show; the banner then counts such pushes, so
that a stopped worker cannot hide a resident in danger.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from beatdesk.channels.models import DeliveryStatus, InboundDelivery
from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import OPEN_STATUSES, Case, Priority
from beatdesk.units.access import CASE_ROLES, role_roots, units_for
from beatdesk.units.models import User

# Enough for the banner to make its point; the inbox lists the rest, emergencies first.
BANNER_LIMIT = 5
# A worker takes an emergency's step within a second or two; one still waiting this long
# means no worker is taking it.
STALLED_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class EmergencyAlerts:
    # Whether the user's roles see cases at all; only their pages ask for the banner.
    watching: bool
    cases: list[Case]
    # Emergency pushes of the user's units that no worker has taken in time.
    stalled: int = 0

    @property
    def shown(self) -> str:
        """Name what the banner shows, as the page sends it back when it asks again."""
        return f"{self.tones};{self.stalled}" if self.stalled else self.tones

    @property
    def tones(self) -> str:
        """Name what the page sounds a tone for once: each emergency, and a stalled push."""
        names = [str(case.pk) for case in self.cases] + (["stalled"] if self.stalled else [])
        return ",".join(names)


def emergency_alerts_for(user: User) -> EmergencyAlerts:
    """Return the unacknowledged open emergencies of the user's units, newest first."""
    if not role_roots(user, CASE_ROLES):
        return EmergencyAlerts(watching=False, cases=[])
    waiting = cases_for(user).filter(
        priority=Priority.EMERGENCY,
        status__in=OPEN_STATUSES,
        emergency_acknowledged_at__isnull=True,
    )
    newest = waiting.select_related("unit").order_by("-last_message_at", "-id")
    return EmergencyAlerts(
        watching=True, cases=list(newest[:BANNER_LIMIT]), stalled=_stalled_emergencies(user)
    )


def _stalled_emergencies(user: User) -> int:
    # Only the count: the push has no case yet, and its text stays with the channel.
    cutoff = timezone.now() - STALLED_AFTER
    stalled = InboundDelivery.objects.filter(
        status=DeliveryStatus.RECEIVED,
        received_at__lte=cutoff,
        account__unit__in=units_for(user, CASE_ROLES),
    )
    return stalled.exclude(emergency_answer="").count()
