"""Every cell of the policy table, as a real request: nobody acts where they do not belong.

For each person of the cast, each staff URL that names an object, and each placement of
that object (own unit, child, parent, sibling, another city), the request is made through
the test client and its outcome compared with `beatdesk.units.policy`: allowed (the page
answers, or the change is made and audited), refused (the object is in sight but nothing
changes) or not found (404). The world is built once for the module and every test runs
in a transaction that is rolled back.
"""

from collections.abc import Iterator
from enum import StrEnum

import pytest
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.units.models import Role
from beatdesk.units.policy import (
    POLICY,
    ROUTES,
    SUBTREE,
    Action,
    Placement,
    Route,
    allowed_placements,
    check_table,
)
from tests.units.policy_world import ATTEMPTS, PEOPLE, Attempt, World


class Outcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    NOT_FOUND = "not found"


def expected_outcome(role: str | None, route: Route, method: str, placement: Placement) -> Outcome:
    """What the table says should happen: allowed, refused in sight, or not found."""
    if role is None:
        return Outcome.NOT_FOUND
    if placement in allowed_placements(route.methods[method], role):
        return Outcome.ALLOWED
    if placement in allowed_placements(route.found_within, role):
        return Outcome.REFUSED
    return Outcome.NOT_FOUND


def observed_outcome(client: Client, world: World, name: str, attempt: Attempt) -> str:
    """Make the request and say what it did, judged by its status and by the audit trail.

    A refusal in sight must be a 403 with the stable error body and leave no record of the
    change; any other answer is returned as its status, which matches no expected outcome.
    """
    before = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    send = client.get if attempt.method == "GET" else client.post
    response = send(attempt.url, attempt.data)
    changed = bool(attempt.audited_as) and (
        AuditRecord.objects.filter(
            pk__gt=before, actor=world.people[name], action=attempt.audited_as
        ).exists()
    )
    if response.status_code == 404 and not changed:
        return Outcome.NOT_FOUND
    if response.status_code == 403 and not changed:
        assert b"<code>forbidden</code>" in response.content
        return Outcome.REFUSED
    if changed and response.status_code < 400:
        return Outcome.ALLOWED
    if not attempt.audited_as and response.status_code == 200:
        return Outcome.ALLOWED
    return f"status {response.status_code}, changed={changed}"


def _cells() -> Iterator[object]:
    for name in PEOPLE:
        for pattern, route in ROUTES.items():
            for method in route.methods:
                for placement in Placement:
                    cell_id = f"{name}-{method} {pattern}-{placement}"
                    yield pytest.param(name, pattern, method, placement, id=cell_id)


@pytest.mark.parametrize(("name", "pattern", "method", "placement"), list(_cells()))
def test_each_person_acts_exactly_where_the_policy_table_lets_them(
    db: None,
    world: World,
    clients: dict[str, Client],
    name: str,
    pattern: str,
    method: str,
    placement: Placement,
) -> None:
    route = ROUTES[pattern]
    attempt = ATTEMPTS[(pattern, method)](world, name, world.unit_at(name, placement))

    observed = observed_outcome(clients[name], world, name, attempt)

    assert observed == expected_outcome(world.role_of(name), route, method, placement)


def test_the_table_refuses_a_grant_above_or_beside_a_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Access code covers subtrees only; a leader granted the parent would be a false promise.
    row = dict(POLICY[Action.VIEW]) | {Role.LEADER: SUBTREE | {Placement.PARENT}}
    monkeypatch.setitem(POLICY, Action.VIEW, row)

    with pytest.raises(ValueError, match="neither a subtree nor none"):
        check_table()
