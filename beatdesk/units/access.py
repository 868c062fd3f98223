"""Who may see which units: the one place every other app asks."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from beatdesk.units.models import Role, Unit, User

# Roles that read or work on the cases of their units. Administrators manage accounts and
# users but do not read residents' messages; the audit administrator reads only the trail.
CASE_ROLES = frozenset(
    {
        Role.OFFICER,
        Role.DUTY_OFFICER,
        Role.OPERATOR,
        Role.APPROVER,
        Role.LEADER,
        Role.CENTER_STAFF,
        Role.INSPECTOR,
    }
)
# Roles that may change a case (answer, assign, change status); inspectors only read.
CASE_WORK_ROLES = CASE_ROLES - {Role.INSPECTOR}


def subtree_filter(units: Iterable[Unit], field: str = "") -> Q:
    """Return a filter matching every unit in the subtrees of `units`.

    `field` names the path to a unit from the queried model, such as "unit__".
    """
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(**{f"{field}path__startswith": unit.path})
    return condition


def role_roots(user: User, roles: Iterable[str]) -> list[Unit]:
    """Return the units where the user holds one of `roles`; none for an inactive user."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(Unit.objects.filter(role_assignments__user=user, role_assignments__role__in=roles))


def units_for(user: User, roles: Iterable[str] = CASE_ROLES) -> QuerySet[Unit]:
    """Return every unit a user's roles in `roles` cover, subtrees included."""
    roots = role_roots(user, roles)
    if not roots:
        return Unit.objects.none()
    return Unit.objects.filter(subtree_filter(roots))
