"""How long residents' personal data is kept, per case type, and the floor under it.

China's Cybersecurity Law (art. 21) asks that network logs be kept at least six months;
Beatdesk's raw deliveries are such logs, so no period may be shorter than 184 days, and the
purge never touches anything younger. Periods count from the day a case was resolved or
closed; open cases are never purged. Set them with `BEATDESK_RETENTION_DAYS`, e.g.
`tip=1095,chat=184` (other types keep their defaults).
"""

from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings

from beatdesk.inbox.models import CaseType

MINIMUM_DAYS = 184
DEFAULT_DAYS: Mapping[str, int] = {
    CaseType.CONSULTATION: 365,
    CaseType.HELP: 730,
    CaseType.TIP: 1095,
    CaseType.SUGGESTION: 365,
    CaseType.COMPLAINT: 1095,
    CaseType.DISPUTE: 1095,
    CaseType.PRAISE: 365,
    CaseType.CHAT: 184,
    CaseType.SPAM: 184,
    CaseType.NOT_POLICE: 365,
    # A case nobody classified keeps its data as long as the longest period.
    CaseType.UNCLASSIFIED: 1095,
}


class RetentionSettingError(ValueError):
    """The configured periods are malformed or shorter than the legal floor."""


def periods() -> dict[str, timedelta]:
    """Return the retention period of every case type, checked against the floor."""
    configured = dict(DEFAULT_DAYS) | _overrides(getattr(settings, "RETENTION_DAYS", ""))
    short = sorted(name for name, days in configured.items() if days < MINIMUM_DAYS)
    if short:
        raise RetentionSettingError(
            f"retention shorter than {MINIMUM_DAYS} days for: {', '.join(short)}"
        )
    return {name: timedelta(days=days) for name, days in configured.items()}


def _overrides(text: str) -> dict[str, int]:
    overrides: dict[str, int] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, _sep, days = part.partition("=")
        if name.strip() not in DEFAULT_DAYS or not days.strip().isdigit():
            raise RetentionSettingError(f"unreadable retention setting {part!r}")
        overrides[name.strip()] = int(days)
    return overrides
