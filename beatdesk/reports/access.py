"""Whose cases a report counts: the cases the user may see, in the user's own units only.

The page counts the units of every case role. A report file leaves the screen, so it is
the policy table's export row (`Action.EXPORT`) that says who may prepare one, and for
which units: it never holds more than the page shows its maker.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import Case
from beatdesk.units.access import CASE_ROLES, role_roots, subtree_filter, units_for
from beatdesk.units.models import Unit, User
from beatdesk.units.policy import Action, roles_for

REPORT_FILE_ROLES = roles_for(Action.EXPORT)


@dataclass(frozen=True, slots=True)
class ReportScope:
    """What one report covers: some units' subtrees, and the rows of its on-time table."""

    cases: QuerySet[Case]
    tops: tuple[Unit, ...]

    def rate_rows(self) -> list[tuple[Unit, bool]]:
        """Return each top unit followed by its child units; True marks a top unit."""
        children = Unit.objects.filter(parent__in=self.tops).order_by("path")
        rows: list[tuple[Unit, bool]] = []
        for top in self.tops:
            rows.append((top, True))
            rows.extend((child, False) for child in children if child.parent_id == top.pk)
        return rows


def top_units_for(user: User, roles: Iterable[str] = CASE_ROLES) -> list[Unit]:
    """Return the units where the user's `roles` start, none inside another of them."""
    roots = sorted(role_roots(user, roles), key=lambda unit: unit.path)
    tops: list[Unit] = []
    for unit in roots:
        if not any(unit.path.startswith(top.path) for top in tops):
            tops.append(unit)
    return tops


def report_units_for(user: User, roles: Iterable[str] = CASE_ROLES) -> QuerySet[Unit]:
    """Return the units a report may be narrowed to: every unit the user's roles cover."""
    return units_for(user, roles).order_by("path")


def may_prepare_report_file(user: User) -> bool:
    """Return whether the policy table lets the user take a report away as a file."""
    return bool(role_roots(user, REPORT_FILE_ROLES))


def access_report_scope(
    user: User, unit: Unit | None = None, roles: Iterable[str] = CASE_ROLES
) -> ReportScope:
    """Return the scope of the user's report, narrowed to `unit` if one is given.

    A person with none of `roles` has no report: not found, as a case outside one's units
    is. A case another unit only offers to the user's units stays out: until it is
    accepted it is that unit's, and a sibling's cases must never be counted here.
    """
    roles = frozenset(roles)
    tops = top_units_for(user, roles)
    if not tops:
        raise Http404("No units to report on")
    if unit is not None:
        if not units_for(user, roles).filter(pk=unit.pk).exists():
            raise Http404("No such unit")
        tops = [unit]
    cases = cases_for(user).filter(subtree_filter(tops, "unit__"))
    return ReportScope(cases=cases, tops=tuple(tops))


def access_report_file_scope(user: User, unit: Unit | None = None) -> ReportScope:
    """Return the scope of a report file: the page's, within the units where one may export."""
    return access_report_scope(user, unit, REPORT_FILE_ROLES)
