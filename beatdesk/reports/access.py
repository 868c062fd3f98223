"""Whose cases a report counts: the cases the user may see, in the user's own units only."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import Case
from beatdesk.units.access import CASE_ROLES, role_roots, subtree_filter, units_for
from beatdesk.units.models import Unit, User


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


def top_units_for(user: User) -> list[Unit]:
    """Return the units where the user's case roles start, none inside another of them."""
    roots = sorted(role_roots(user, CASE_ROLES), key=lambda unit: unit.path)
    tops: list[Unit] = []
    for unit in roots:
        if not any(unit.path.startswith(top.path) for top in tops):
            tops.append(unit)
    return tops


def report_units_for(user: User) -> QuerySet[Unit]:
    """Return the units a report may be narrowed to: every unit the user's roles cover."""
    return units_for(user, CASE_ROLES).order_by("path")


def access_report_scope(user: User, unit: Unit | None = None) -> ReportScope:
    """Return the scope of the user's report, narrowed to `unit` if one is given.

    A person with no case role has no report: not found, as a case outside one's units
    is. A case another unit only offers to the user's units stays out: until it is
    accepted it is that unit's, and a sibling's cases must never be counted here.
    """
    tops = top_units_for(user)
    if not tops:
        raise Http404("No units to report on")
    if unit is not None:
        if not units_for(user, CASE_ROLES).filter(pk=unit.pk).exists():
            raise Http404("No such unit")
        tops = [unit]
    cases = cases_for(user).filter(subtree_filter(tops, "unit__"))
    return ReportScope(cases=cases, tops=tuple(tops))
