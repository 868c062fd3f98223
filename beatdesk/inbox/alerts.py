"""The emergency banner: open emergencies nobody has acknowledged, for everyone covering them.

Every staff page shows the banner and asks for it again every few seconds; the page says
which emergencies it already shows, so an unchanged banner costs no swap and is not read
out again by screen readers.
"""

from dataclasses import dataclass

from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import OPEN_STATUSES, Case, Priority
from beatdesk.units.access import CASE_ROLES, role_roots
from beatdesk.units.models import User

# Enough for the banner to make its point; the inbox lists the rest, emergencies first.
BANNER_LIMIT = 5


@dataclass(frozen=True)
class EmergencyAlerts:
    # Whether the user's roles see cases at all; only their pages ask for the banner.
    watching: bool
    cases: list[Case]

    @property
    def shown(self) -> str:
        """Name the emergencies on the banner, as the page sends them back when it asks."""
        return ",".join(str(case.pk) for case in self.cases)


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
    return EmergencyAlerts(watching=True, cases=list(newest[:BANNER_LIMIT]))
