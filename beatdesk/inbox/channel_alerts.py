"""Emergency alerts through each duty officer's own WeChat or QQ, beside the desk's banner.

When a case becomes an emergency, the transaction that raises it writes one outbox row
for every binding of every duty officer of the responsible unit (or, with nobody on the
roster, of every officer of the unit). The alert leaves our system, so it says only which
unit, which case and where the case is on the desk: never the resident's name, number,
id or words.
"""

import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.channels.bindings import alert_bindings_of, enqueue_alert
from beatdesk.channels.deliveries import wake_relay
from beatdesk.channels.models import OutboxMessage, StaffBinding
from beatdesk.inbox.models import Case
from beatdesk.units.duty import officers_of, on_duty
from beatdesk.units.models import User

logger = logging.getLogger(__name__)


def alert_recipients(case: Case) -> list[User]:
    """Return who must hear of the emergency: the unit's duty officers, else its officers."""
    return on_duty(case.unit) or officers_of(case.unit)


def alert_parts(case: Case) -> dict[str, str]:
    """Return the pieces of the alert: the unit, the case number, its path, the time."""
    raised = timezone.now().astimezone(ZoneInfo(case.unit.time_zone))
    return {
        "unit": case.unit.name,
        "case": str(case.pk),
        "path": reverse("inbox:case_detail", args=[case.pk]),
        "time": raised.strftime("%Y-%m-%d %H:%M"),
    }


def alert_text(parts: dict[str, str]) -> str:
    """Return the alert as one short text, in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return (
            _(
                "Beatdesk emergency: case %(case)s of %(unit)s needs an officer now. "
                "Open %(path)s on the desk."
            )
            % parts
        )


def alert_key(case: Case, binding: StaffBinding) -> str:
    """Name one alert, so that the same emergency reaches the same channel once."""
    account = binding.account
    return f"emergency-alert:{case.pk}:{binding.user_id}:{account.kind}-{account.pk}"


def queue_emergency_alerts(case: Case) -> int:
    """Write the alerts of a case that just became an emergency; return how many are new.

    Call inside the transaction that raised the case, so the alerts and the emergency are
    committed together or not at all.
    """
    parts = alert_parts(case)
    text = alert_text(parts)
    queued = 0
    for binding in alert_bindings_of(alert_recipients(case)):
        key = alert_key(case, binding)
        if OutboxMessage.objects.filter(idempotency_key=key).exists():
            continue
        row = enqueue_alert(binding, text, key, parts)
        record(
            "case.alert_queued",
            case,
            unit=case.unit,
            user=binding.user_id,
            outbox=row.pk,
            channel=binding.account.kind,
        )
        queued += 1
    if queued:
        transaction.on_commit(wake_relay)
    logger.info("emergency alerts queued case=%s alerts=%s", case.pk, queued)
    return queued
