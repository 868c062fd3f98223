"""Lists show the rows of the person's own units and nothing from anywhere else.

Every list page of `LIST_PAGES` is opened by every person of the policy cast; the rows
each placement put there (a case, a case offered to that unit, a duty shift, a canned
answer, a lexicon level) must appear exactly where the table lets the person list them.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from beatdesk.units.policy import LIST_PAGES, Action, Placement, allowed_placements
from tests.units.policy_world import PEOPLE, World

RowMarkers = Callable[[World, str], list[str]]

# What on each page shows the row that the unit with this code put there.
ROWS: dict[str, RowMarkers] = {
    "inbox/": lambda world, code: [
        world.cases[code].tracking_code,
        world.offers[code].case.tracking_code,
    ],
    "inbox/duty/": lambda world, code: [str(world.shifts[code].user)],
    "inbox/follow-ups/": lambda world, code: [world.follow_ups[code].case.tracking_code],
    "inbox/canned/": lambda world, code: [world.canned[code].title],
    "checker/lexicons/": lambda world, code: [f"/checker/lexicons/{code}/"],
    "reports/": lambda world, code: [world.units[code].name],
    "posts/": lambda world, code: [
        world.weibo_accounts[code].name,
        f"/posts/{world.posts[code].pk}/",
    ],
}
# The whole list, not only its open or first part.
QUERIES = {"inbox/": "?show=all"}


def _expected(world: World, name: str, action: Action) -> set[Placement]:
    role = world.role_of(name)
    return set(allowed_placements(action, role)) if role else set()


def _shown(world: World, name: str, page: str, body: str) -> set[Placement]:
    """Return the placements whose rows appear; a half-shown row counts as shown."""
    shown = set()
    for placement in Placement:
        markers = ROWS[page](world, world.unit_at(name, placement))
        if any(marker in body for marker in markers):
            shown.add(placement)
    return shown


@pytest.mark.parametrize("page", list(LIST_PAGES))
@pytest.mark.parametrize("name", PEOPLE)
def test_each_list_shows_exactly_the_rows_the_policy_table_lets_the_person_list(
    db: None, world: World, clients: dict[str, Client], name: str, page: str
) -> None:
    response = clients[name].get(f"/{page}{QUERIES.get(page, '')}")

    expected = _expected(world, name, LIST_PAGES[page])
    # A page may show an empty list, or not exist at all for someone who may list nothing.
    assert response.status_code == 200 or (response.status_code == 404 and not expected)
    assert _shown(world, name, page, response.content.decode()) == expected


@pytest.mark.parametrize("page", list(LIST_PAGES))
@pytest.mark.parametrize("name", PEOPLE)
def test_no_page_names_a_case_the_person_may_not_see(
    db: None, world: World, clients: dict[str, Client], name: str, page: str
) -> None:
    # Banners, counts and forms surround every list; none may name a case out of sight.
    body = clients[name].get(f"/{page}{QUERIES.get(page, '')}").content.decode()

    hidden = set(Placement) - _expected(world, name, Action.VIEW)
    for placement in hidden:
        code = world.unit_at(name, placement)
        for case in (world.cases[code], world.offers[code].case):
            assert case.tracking_code not in body
            assert f"/inbox/cases/{case.pk}/" not in body


def test_every_list_page_of_the_table_has_its_rows_described_here() -> None:
    assert set(ROWS) == set(LIST_PAGES)
