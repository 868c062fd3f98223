"""Audit records cannot be changed or deleted through the database, only appended.

On PostgreSQL a trigger refuses every UPDATE and DELETE, and the role made by `beatdesk
db-grants` can neither change records nor lift the trigger. SQLite has no roles; there the
hash chain (tests/audit/test_chain.py) is what finds tampering.
"""

from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from beatdesk.audit.actions import record
from beatdesk.audit.models import AuditRecord
from beatdesk.audit.protection import RECORD_TABLE, TRIGGER, grant_statements
from tests.conftest import Cast

APP_ROLE = "beatdesk_test_app"

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and triggers are PostgreSQL's"
)


def refused(sql: str, *params: str | int) -> bool:
    """Run one statement in a savepoint; say whether the database refused it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


@pytest.fixture
def entry(cast: Cast) -> AuditRecord:
    return record("case.status", cast.station_a, actor=cast.officer_a, new="closed")


@pytest.fixture
def as_app_role(db: None) -> Iterator[None]:
    # Everything here happens inside the test's transaction and is rolled back with it.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        cursor.execute(f"GRANT {APP_ROLE} TO CURRENT_USER")
        for statement in grant_statements(APP_ROLE):
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {APP_ROLE}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@needs_postgresql
def test_nobody_can_update_or_delete_an_audit_record_on_postgresql(entry: AuditRecord) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).update(action="case.opened")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).delete()

    assert AuditRecord.objects.get(pk=entry.pk).action == "case.status"


@needs_postgresql
def test_the_application_role_appends_records_but_cannot_change_them_or_lift_the_trigger(
    cast: Cast, entry: AuditRecord, as_app_role: None
) -> None:
    appended = record("case.status", cast.station_a, actor=cast.officer_a, new="reopened")

    assert appended.sequence == (entry.sequence or 0) + 1
    assert refused("UPDATE audit_auditrecord SET action = %s", "case.opened")
    assert refused("DELETE FROM audit_auditrecord")
    assert refused(f"TRUNCATE {RECORD_TABLE}")
    assert refused(f"ALTER TABLE {RECORD_TABLE} DISABLE TRIGGER {TRIGGER}")
    assert refused(f"DROP TRIGGER {TRIGGER} ON {RECORD_TABLE}")
    assert AuditRecord.objects.count() == 2


@needs_postgresql
def test_the_application_role_keeps_every_right_the_rest_of_the_product_needs(
    cast: Cast, as_app_role: None
) -> None:
    assert not refused("UPDATE units_unit SET name = name WHERE id = %s", cast.station_a.pk)
    assert not refused("DELETE FROM inbox_case WHERE id = -1")


@needs_postgresql
def test_db_grants_prints_the_statements_without_applying_them(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("db_grants", "beatdesk_web")

    printed = capsys.readouterr().out
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditrecord FROM "beatdesk_web";' in printed


def test_db_grants_refuses_a_role_name_that_is_not_a_plain_identifier(db: None) -> None:
    with pytest.raises(CommandError, match="lower-case"):
        call_command("db_grants", 'web"; DROP TABLE x; --')


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite message")
def test_db_grants_says_sqlite_has_no_roles(db: None) -> None:
    with pytest.raises(CommandError, match="only on PostgreSQL"):
        call_command("db_grants", "beatdesk_web")
