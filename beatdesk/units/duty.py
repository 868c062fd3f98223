"""The duty roster: who is on duty for a unit each day, and whose turn the next case is."""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.units.access import CASE_WORK_ROLES, units_for
from beatdesk.units.models import DutyShift, Role, Unit, User

logger = logging.getLogger(__name__)


class DutyError(Exception):
    """A roster change was refused; the message is safe to show to the user."""


# How far ahead the roster is kept and shown: two weeks from the unit's today.
DUTY_DAYS_AHEAD = 14


def local_day(unit: Unit, moment: datetime | None = None) -> date:
    """Return the date at the unit in its own time zone: a duty day starts at its midnight."""
    moment = moment or timezone.now()
    return moment.astimezone(ZoneInfo(unit.time_zone)).date()


def on_duty(unit: Unit, day: date | None = None) -> list[User]:
    """Return the people on duty for the unit that day who may still work on its cases."""
    day = day or local_day(unit)
    shifts = DutyShift.objects.filter(unit=unit, day=day).select_related("user")
    return [shift.user for shift in shifts.order_by("user_id") if may_take_cases(shift.user, unit)]


# Who answers for a unit when nobody is on its roster: those holding an officer's or a
# leader's role at the unit itself, not everyone above it whose roles cover it.
UNIT_OFFICER_ROLES = (Role.OFFICER, Role.DUTY_OFFICER, Role.LEADER)


def officers_of(unit: Unit) -> list[User]:
    """Return the active people holding an officer's or leader's role at the unit itself."""
    officers = User.objects.filter(
        is_active=True,
        role_assignments__unit=unit,
        role_assignments__role__in=UNIT_OFFICER_ROLES,
    )
    return list(officers.distinct().order_by("pk"))


def people_for(unit: Unit) -> QuerySet[User]:
    """Return the active people whose roles let them work on the unit's cases."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__unit__in=unit.ancestors(),
            role_assignments__role__in=CASE_WORK_ROLES,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def may_take_cases(user: User, unit: Unit) -> bool:
    """Return whether the person's roles let them work on the unit's cases."""
    return units_for(user, CASE_WORK_ROLES).filter(pk=unit.pk).exists()


def take_turn(unit: Unit, day: date | None = None) -> User | None:
    """Return the duty officer whose turn it is, and note that they had it; call in a
    transaction. The shifts are locked so two cases at once go to two people."""
    day = day or local_day(unit)
    shifts = DutyShift.objects.select_for_update().filter(unit=unit, day=day)
    # Never given a case sorts first; PostgreSQL would put NULL last without being told.
    order = (F("last_assigned_at").asc(nulls_first=True), "id")
    for shift in shifts.select_related("user").order_by(*order):
        if shift.user.is_active and may_take_cases(shift.user, unit):
            shift.last_assigned_at = timezone.now()
            shift.save(update_fields=["last_assigned_at"])
            return shift.user
    return None


def do_add_duty_shift(unit: Unit, user: User, day: date, actor: User) -> DutyShift:
    """Put a person on duty for the unit on that day."""
    if not may_take_cases(user, unit):
        raise DutyError(_("This person does not work on the unit's cases."))
    with transaction.atomic():
        shift, created = DutyShift.objects.get_or_create(unit=unit, user=user, day=day)
        if created:
            record("duty.added", shift, actor=actor, unit=unit, user=user.pk, day=day.isoformat())
    return shift


def do_remove_duty_shift(shift: DutyShift, actor: User) -> None:
    """Take a person off duty for that day."""
    with transaction.atomic():
        record(
            "duty.removed",
            shift,
            actor=actor,
            unit=shift.unit,
            user=shift.user_id,
            day=shift.day.isoformat(),
        )
        shift.delete()


def do_set_round_robin(unit: Unit, enabled: bool, actor: User) -> Unit:
    """Turn on or off giving new cases in turn to the unit's duty officers."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        if unit.round_robin != enabled:
            unit.round_robin = enabled
            unit.save(update_fields=["round_robin"])
            record("unit.round_robin", unit, actor=actor, unit=unit, enabled=enabled)
    return unit
