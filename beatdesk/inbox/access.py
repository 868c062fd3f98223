"""Who may see and work on which cases: every list and lookup of cases goes through here."""

from django.db.models import QuerySet
from django.http import Http404

from beatdesk.inbox.models import Case
from beatdesk.units.access import (
    CASE_ROLES,
    CASE_WORK_ROLES,
    role_roots,
    subtree_filter,
    units_for,
)
from beatdesk.units.models import User


def cases_for(user: User, *, for_work: bool = False) -> QuerySet[Case]:
    """Return the cases of every unit the user's roles cover; nothing outside them."""
    roles = CASE_WORK_ROLES if for_work else CASE_ROLES
    roots = role_roots(user, roles)
    if not roots:
        return Case.objects.none()
    return Case.objects.filter(subtree_filter(roots, "unit__"))


def access_case_by_id(user: User, case_id: int, *, for_work: bool = False) -> Case:
    """Return a case the user may see (or work on); any other id is simply not found."""
    case = (
        cases_for(user, for_work=for_work)
        .select_related("resident", "account", "unit", "assignee")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def may_work_on(user: User, case: Case) -> bool:
    """Return whether the user may answer, assign or change the status of the case."""
    return units_for(user, CASE_WORK_ROLES).filter(pk=case.unit_id).exists()
