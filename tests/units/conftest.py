"""The policy world, built once per module that asks for it and rolled back after it."""

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from pytest_django import DjangoDbBlocker

from tests.units.policy_world import PEOPLE, World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Build the world once; everything it wrote is rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world: World) -> dict[str, Client]:
    """A signed-in browser for each person; sessions live as long as the world."""
    signed_in: dict[str, Client] = {}
    for name in PEOPLE:
        client = Client()
        client.force_login(world.people[name])
        signed_in[name] = client
    return signed_in
