"""Fixtures of the trust harness: a migrated template database, cloned for each run."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.trust.sites import Database, migrated_template

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test here runs real servers and workers; CI runs them once, on PostgreSQL, as
    # issue 6 asks, and leaves them out of its SQLite pass (`-m "not harness"`).
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.harness)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    template = migrated_template(tmp_path_factory.mktemp("trust-template"))
    try:
        yield template
    finally:
        template.drop()


@pytest.fixture
def harness_database(template_database: Database, tmp_path: Path) -> Iterator[Database]:
    database = template_database.clone(tmp_path)
    try:
        yield database
    finally:
        database.drop()
