"""Disputes needing mediation: sessions and follow-up visits recorded on the case.

A dispute between neighbours is not settled by one answer. The officer records each
mediation session and each visit or call afterwards, with its outcome and when to come
back; a dispute closes only once at least one of them is on record, and the follow-ups
that have come due are listed for the units that hold them.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.inbox.access import cases_for, check_may_work_on
from beatdesk.inbox.actions import InboxError
from beatdesk.inbox.models import Case, CaseType, FollowUp
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

# A visit planned further ahead than this is a typing mistake, not a plan.
FURTHEST_NEXT = timedelta(days=366)
# The follow-ups page also shows what is coming up, so a visit can be planned.
COMING_UP = timedelta(days=7)


@dataclass(frozen=True)
class FollowUpInput:
    kind: str
    outcome: str
    happened_on: date
    note: str
    next_on: date | None


def do_record_follow_up(case: Case, actor: User, given: FollowUpInput) -> FollowUp:
    """Record a mediation session, visit or call on a dispute; the note stays on the case."""
    check_may_work_on(actor, case)
    if case.case_type != CaseType.DISPUTE:
        raise InboxError(_("Mediation and follow-ups are recorded on disputes only."))
    _check_dates(case, given)
    note = " ".join(given.note.split())
    if not note:
        raise InboxError(_("Say in a few words who met and what was agreed."))

    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            case=case,
            kind=given.kind,
            outcome=given.outcome,
            happened_on=given.happened_on,
            note=note[:1000],
            next_on=given.next_on,
            recorded_by=actor,
        )
        # The note is free text about people; the record keeps only its kind and outcome.
        record(
            "case.follow_up",
            case,
            actor=actor,
            unit=case.unit,
            kind=given.kind,
            outcome=given.outcome,
            next_planned=given.next_on is not None,
        )
    logger.info("follow-up recorded case=%s kind=%s", case.pk, given.kind)
    return follow_up


def _check_dates(case: Case, given: FollowUpInput) -> None:
    zone = ZoneInfo(case.unit.time_zone)
    today = timezone.localdate(timezone=zone)
    opened = timezone.localdate(case.opened_at, timezone=zone)
    if given.happened_on > today:
        raise InboxError(_("A follow-up is recorded once it has happened, not before."))
    if given.happened_on < opened:
        raise InboxError(_("The follow-up cannot be earlier than the case itself."))
    if given.next_on is None:
        return
    if given.next_on <= given.happened_on:
        raise InboxError(_("The next follow-up must come after this one."))
    if given.next_on > today + FURTHEST_NEXT:
        raise InboxError(_("Plan the next follow-up within a year."))


def follow_ups_due(user: User, today: date, *, ahead: timedelta = COMING_UP) -> QuerySet[FollowUp]:
    """Return the planned follow-ups of the user's cases due by `today + ahead`, oldest first.

    Only each case's latest record counts: once the officer has been back, the plan made
    at the earlier visit is done.
    """
    later = FollowUp.objects.filter(case=OuterRef("case"), pk__gt=OuterRef("pk"))
    return (
        FollowUp.objects.filter(case__in=cases_for(user), next_on__lte=today + ahead)
        .exclude(Exists(later))
        .select_related("case", "case__unit", "recorded_by")
        .order_by("next_on", "pk")
    )
