"""Lift the append-only trigger for a test that plays an attacker holding the owner's rights.

The hash chain exists for exactly that attacker: the tests that edit, delete or reorder
records first do what such a person would, inside the test's transaction only.
"""

from django.db import connection

from beatdesk.audit.protection import RECORD_TABLE, TRIGGER


def lift_append_only_trigger() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {RECORD_TABLE} DISABLE TRIGGER {TRIGGER}")


def restore_append_only_trigger() -> None:
    """Switch the trigger back on, for a test that lifted it outside a test transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {RECORD_TABLE} ENABLE TRIGGER {TRIGGER}")
