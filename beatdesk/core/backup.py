"""Back up every row of Beatdesk into one compressed file, and restore it into an empty database.

The file is Django's JSON serialization (gzip) of Beatdesk's own tables and the staff
accounts, with foreign keys to content types written as natural keys so that a restore
works on a database whose content types were numbered differently (SQLite to PostgreSQL
and back). Every encrypted column (credentials, residents' words and ids, raw deliveries)
stays encrypted in the file, so a restore needs the BEATDESK_FIELD_KEY it was written with.
"""

import logging
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import connection, transaction
from django.db.models import Model

from beatdesk.audit.verify import current_head, verify_chain
from beatdesk.core.secrets import SecretUnreadable

logger = logging.getLogger(__name__)

# Tables that migrations fill or that hold nothing worth restoring (sessions expire).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
# Migrations create the empty chain head; the restore overwrites it with the backed-up one.
_HEAD = "audit.auditchainhead"
# Every app of ours that keeps rows, in an order where a row's references come first;
# `tests/core/test_backup.py` fails when an app with models is missing here.
BACKED_UP_APPS = [
    "auth",
    "units",
    "audit",
    "channels",
    "checker",
    "inbox",
    "core",
    "portal",
    "retention",
]


class RestoreError(RuntimeError):
    """The restore was refused or did not verify; the database was left unchanged."""


def backed_up_models() -> list[type[Model]]:
    """Return every model whose rows a backup holds."""
    models = []
    for label in BACKED_UP_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower not in EXCLUDED:
                models.append(model)
    return models


def row_counts() -> dict[str, int]:
    """Count the rows of every backed-up model, to compare a restore with its source."""
    return {
        model._meta.label_lower: model._default_manager.count() for model in backed_up_models()
    }


def backup(path: Path) -> dict[str, int]:
    """Write the backup to `path` (which must end in .json.gz); return the row counts."""
    if not path.name.endswith(".json.gz"):
        raise ValueError("the backup file name must end in .json.gz")
    # Read in one transaction so the rows are one consistent moment of the database.
    with transaction.atomic():
        counts = row_counts()
        call_command(
            "dumpdata",
            *BACKED_UP_APPS,
            exclude=EXCLUDED,
            natural_foreign=True,
            output=str(path),
            verbosity=0,
        )
    logger.info("backup written rows=%s", sum(counts.values()))
    return counts


def restore(path: Path) -> dict[str, int]:
    """Load a backup into an empty, migrated database; verify the audit chain or undo it all."""
    if not path.is_file():
        raise RestoreError(f"no backup file at {path}")
    filled = [label for label, count in row_counts().items() if count and label != _HEAD]
    if filled or current_head().sequence:
        raise RestoreError(
            "the database is not empty; restore only into a new database "
            f"({', '.join(filled[:5]) or 'audit records'} hold rows)"
        )

    with transaction.atomic():
        _load(path)
        problem = verify_chain()
        if problem is not None:
            raise RestoreError(f"the restored audit chain does not verify: {problem.message}")
        counts = row_counts()
    connection.close()
    logger.info("backup restored rows=%s head=%s", sum(counts.values()), current_head().sequence)
    return counts


def _load(path: Path) -> None:
    try:
        call_command("loaddata", str(path), verbosity=0)
    except DeserializationError as error:
        if not _caused_by(error, SecretUnreadable):
            raise
        raise RestoreError(
            "the backup's encrypted values do not decrypt with this BEATDESK_FIELD_KEY; "
            "restore with the key the backup was written with"
        ) from None


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
