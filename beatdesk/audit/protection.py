"""Audit records are append-only in the database itself, not only by our code's good manners.

On PostgreSQL a trigger refuses every UPDATE and DELETE of a record, whoever sends it; and
`beatdesk db-grants ROLE` gives the application's own role no right to update, delete or
truncate records, nor (not being the owner) to drop the trigger. Migrations run as the
owner; the web server and the worker run as that role. SQLite has no roles: whoever can
write the file can change anything, so there the hash chain is what finds tampering.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

RECORD_TABLE = "audit_auditrecord"
TRIGGER = "audit_append_only"
FUNCTION = "audit_refuse_change"

INSTALL_POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit records are append-only'
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON {RECORD_TABLE}",
    f"""
    CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {RECORD_TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()
    """,
]
REMOVE_POSTGRESQL = [
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON {RECORD_TABLE}",
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
]


def install(connection: BaseDatabaseWrapper) -> None:
    """Make audit records append-only where the database can enforce it."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in INSTALL_POSTGRESQL:
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in REMOVE_POSTGRESQL:
            cursor.execute(statement)


def grant_statements(quote: str) -> list[str]:
    """Return the SQL that gives a role what the application needs and no more.

    `quote` is the role's name already quoted as an identifier. Default privileges cover
    the tables later migrations create, so a new table needs no new grant; the audit
    table's rights are cut back after the broad grant.
    """
    return [
        f"GRANT USAGE ON SCHEMA public TO {quote}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quote}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quote}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quote}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {RECORD_TABLE} FROM {quote}",
    ]
