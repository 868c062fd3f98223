"""Rewrite encrypted columns in place: encrypt existing rows, decrypt them, move keys.

Migrations that turn a column into an encrypted one run `encrypt_existing` (and, undone,
`decrypt_existing`); `beatdesk rotate-field-key` runs `rotate_all`. Rows are read and
written through plain SQL, so no field converts a value on the way and a value written
in the clear is told apart from one already encrypted: a run interrupted half way can
simply be run again.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps as global_apps
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from beatdesk.core.secrets import (
    BlindIndexField,
    EncryptedBinaryField,
    EncryptedJSONField,
    EncryptedTextField,
    SecretUnreadable,
    blind_index,
    decrypt_bytes,
    encrypt_bytes,
    rotate_token,
)

logger = logging.getLogger(__name__)

BATCH = 500
ENCRYPTED_TYPES = (EncryptedTextField, EncryptedBinaryField, EncryptedJSONField)
# One step over a stored value: the new stored value, or None to leave it as it is.
Step = Callable[[models.Field[Any, Any], Any], Any]


def encrypted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Return the model's encrypted columns, in their order on the model."""
    return [field for field in model._meta.concrete_fields if isinstance(field, ENCRYPTED_TYPES)]


def _index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]


def _as_bytes(value: Any) -> bytes:
    return bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()


def _is_token(value: bytes) -> bool:
    try:
        decrypt_bytes(value)
    except SecretUnreadable:
        return False
    return True


def _is_kept_plain(field: models.Field[Any, Any], value: Any) -> bool:
    # Empty values stay empty, and an encrypted JSON column keeps empty containers in the
    # clear, so that "has no attributes" remains a plain comparison.
    if not value:
        return True
    return isinstance(field, EncryptedJSONField) and str(value) in ("{}", "[]")


def _stored(field: models.Field[Any, Any], token: bytes) -> Any:
    return token if isinstance(field, EncryptedBinaryField) else token.decode("ascii")


def _encrypt_step(field: models.Field[Any, Any], value: Any) -> Any:
    if _is_kept_plain(field, value) or _is_token(_as_bytes(value)):
        return None
    return _stored(field, encrypt_bytes(_as_bytes(value)))


def _decrypt_step(field: models.Field[Any, Any], value: Any) -> Any:
    if _is_kept_plain(field, value) or not _is_token(_as_bytes(value)):
        return None
    plain = decrypt_bytes(_as_bytes(value))
    return plain if isinstance(field, EncryptedBinaryField) else plain.decode()


def _rotate_step(field: models.Field[Any, Any], value: Any) -> Any:
    if _is_kept_plain(field, value):
        return None
    return _stored(field, rotate_token(_as_bytes(value)))


def _plain_text(field: models.Field[Any, Any], value: Any) -> str:
    """Return what a stored text value says, whether it is encrypted yet or not."""
    if _is_kept_plain(field, value):
        return str(value or "")
    data = _as_bytes(value)
    return decrypt_bytes(data).decode() if _is_token(data) else str(value)


def rewrite_model(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    step: Step,
    reindex: bool,
    only: Iterable[str] = (),
) -> int:
    """Apply `step` to every encrypted value of the model's table; return the rows changed.

    With `reindex`, each blind index is computed again from its column's plain value;
    `only` limits the rewrite to the named fields.
    """
    fields = [field for field in encrypted_fields(model) if not only or field.name in only]
    indexes = _index_fields(model) if reindex else []
    if not fields:
        return 0
    changed, last = 0, None
    while True:
        rows = _read_batch(connection, model, fields, last)
        if not rows:
            return changed
        for pk, *values in rows:
            changes = _row_changes(model, fields, indexes, values, step)
            if changes:
                _write_row(connection, model, pk, changes)
                changed += 1
        last = rows[-1][0]


def _row_changes(
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    indexes: list[BlindIndexField],
    values: list[Any],
    step: Step,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for field, value in zip(fields, values, strict=True):
        new = step(field, value)
        if new is not None:
            changes[_column(field)] = new
    by_name = {field.name: (field, value) for field, value in zip(fields, values, strict=True)}
    for index in indexes:
        source, value = by_name[index.source]
        changes[_column(index)] = blind_index(_plain_text(source, value))
    return changes


def _column(field: models.Field[Any, Any]) -> str:
    # Only concrete fields come here, and every concrete field has a column.
    return str(field.column)


def _pk_column(model: type[models.Model]) -> str:
    return str(model._meta.pk.column if model._meta.pk is not None else "id")


def _read_batch(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    after: Any,
) -> list[tuple[Any, ...]]:
    # Every name in the statement comes from the model's own meta, quoted; values are
    # parameters.
    quote = connection.ops.quote_name
    pk = quote(_pk_column(model))
    columns = ", ".join([pk, *(quote(_column(field)) for field in fields)])
    where = f" WHERE {pk} > %s" if after is not None else ""
    table = quote(model._meta.db_table)
    sql = f"SELECT {columns} FROM {table}{where} ORDER BY {pk} LIMIT %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, BATCH] if after is not None else [BATCH])
        return list(cursor.fetchall())


def _write_row(
    connection: BaseDatabaseWrapper, model: type[models.Model], pk: Any, changes: dict[str, Any]
) -> None:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in changes)
    table, pk_column = quote(model._meta.db_table), quote(_pk_column(model))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s",  # noqa: S608
            [*changes.values(), pk],
        )


def encrypt_existing(*labels: str, only: Iterable[str] = ()) -> Callable[[Any, Any], None]:
    """Return a migration step that encrypts the named models' rows ("app.Model").

    `only` names the fields that just became encrypted, when others of the model already
    were (their values are left alone either way, but undoing must not decrypt them).
    """

    def forward(apps: Any, schema_editor: Any) -> None:
        for model in _models(apps, labels):
            connection = schema_editor.connection
            rewrite_model(connection, model, _encrypt_step, reindex=True, only=only)

    return forward


def decrypt_existing(*labels: str, only: Iterable[str] = ()) -> Callable[[Any, Any], None]:
    """Return the step that undoes `encrypt_existing`, for a migration taken back."""

    def backward(apps: Any, schema_editor: Any) -> None:
        for model in _models(apps, labels):
            connection = schema_editor.connection
            rewrite_model(connection, model, _decrypt_step, reindex=False, only=only)

    return backward


def _models(apps: Any, labels: Iterable[str]) -> list[type[models.Model]]:
    return [apps.get_model(*label.split(".")) for label in labels]


def rotate_all(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Re-encrypt every encrypted value with the first key and recompute blind indexes.

    Runs in one transaction: a value no configured key decrypts stops it with nothing
    changed, rather than leaving some rows on a key about to be thrown away.
    """
    counts = {}
    with transaction.atomic():
        for model in global_apps.get_models():
            if encrypted_fields(model):
                changed = rewrite_model(connection, model, _rotate_step, reindex=True)
                counts[model._meta.label_lower] = changed
    logger.info("field key rotated tables=%s rows=%s", len(counts), sum(counts.values()))
    return counts
