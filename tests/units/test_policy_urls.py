"""Every URL that names an object is in the policy table, so no new page escapes its tests."""

import re
from collections.abc import Iterator

from django.urls import URLResolver, get_resolver

from beatdesk.units.policy import NOT_OFFERED, OUTSIDE_STAFF_POLICY, ROUTES
from tests.units.policy_world import ATTEMPTS

# A path converter (`<int:case_id>`, `<code>`) or a named group of a regular expression.
NAMES_AN_OBJECT = re.compile(r"<(?:\w+:)?\w+>|\(\?P<")


def all_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Yield the full route of every URL pattern, includes walked to the end."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_routes(entry, route)
        else:
            yield route


def routes_naming_objects() -> list[str]:
    return [route for route in all_routes() if NAMES_AN_OBJECT.search(route)]


def is_outside_staff_policy(route: str) -> bool:
    return route.startswith(tuple(OUTSIDE_STAFF_POLICY))


def test_every_url_that_takes_an_object_id_is_in_the_policy_table() -> None:
    missing = [
        route
        for route in routes_naming_objects()
        if route not in ROUTES and not is_outside_staff_policy(route)
    ]

    assert not missing, (
        "these URLs take an id or code but are not in beatdesk/units/policy.py ROUTES "
        f"(name their action and object there, and how to build it in the tests): {missing}"
    )


def test_the_table_names_no_url_that_no_longer_exists() -> None:
    gone = sorted(set(ROUTES) - set(routes_naming_objects()))

    assert not gone, f"ROUTES names URLs the project no longer serves: {gone}"


def test_every_route_and_method_of_the_table_has_a_request_in_the_generated_tests() -> None:
    in_table = {(pattern, method) for pattern, route in ROUTES.items() for method in route.methods}

    assert in_table == set(ATTEMPTS)


def test_no_url_performs_an_action_the_table_says_is_not_offered_yet() -> None:
    offered = {action for route in ROUTES.values() for action in route.methods.values()}

    assert not offered & NOT_OFFERED


def test_the_walk_finds_the_urls_outside_staff_policy_too() -> None:
    # Proof the walk reaches into includes: each outside prefix has routes that take ids.
    found = {
        prefix
        for prefix in OUTSIDE_STAFF_POLICY
        if any(route.startswith(prefix) for route in routes_naming_objects())
    }

    assert found == set(OUTSIDE_STAFF_POLICY)
