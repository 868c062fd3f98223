"""Who may see which units: the one place every other app asks."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from beatdesk.units.models import Unit, User
from beatdesk.units.policy import Action, roles_for

# Who reads and who works on cases comes from the policy table, the one place that decides
# it. Administrators manage accounts and users but do not read residents' messages; the
# audit administrator reads only the trail; inspectors read cases and change nothing.
CASE_ROLES = roles_for(Action.VIEW)
# Roles that may change a case (answer, assign, change status).
CASE_WORK_ROLES = roles_for(Action.EDIT)


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
