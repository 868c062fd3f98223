"""Encryption at rest: channel credentials and everything a resident wrote or is known by.

The key comes from BEATDESK_FIELD_KEY; the database alone, or a dump or backup of it, never
reveals a secret, a message or a channel id. Keys listed in BEATDESK_FIELD_OLD_KEYS still
decrypt while `beatdesk rotate-field-key` rewrites every value with the new key.

Encrypted columns can only be compared with the empty value. A column that must be found
by equality (a resident's channel id) keeps a blind index beside it: a keyed HMAC of the
value, computed on save, which its `exact` lookup compares instead of the ciphertext.
"""

import base64
import functools
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col, Combinable
from django.db.models.lookups import Exact, IsNull, Lookup

if TYPE_CHECKING:
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

SERIALIZED_PREFIX = "fernet:"
# A stored JSON value that starts like this is an empty container kept in the clear; a
# Fernet token is URL-safe base64 and never starts with a bracket.
_PLAIN_JSON_STARTS = ("{", "[")


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured keys."""


def field_keys() -> list[str]:
    """Return the configured keys, the one that encrypts first."""
    return [settings.FIELD_ENCRYPTION_KEY, *settings.FIELD_ENCRYPTION_OLD_KEYS]


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive("", key))) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(field_keys()))


def _derive(purpose: str, key: str) -> bytes:
    # The empty purpose keeps the derivation that existing credentials were encrypted with.
    return hashlib.sha256((purpose + key).encode()).digest()


def encrypt_secret(plain: str) -> str:
    """Return the secret encrypted and encoded as text; the empty secret stays empty."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt_secret(stored: str) -> str:
    """Return the plain secret; raise SecretUnreadable when no configured key fits."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode()
    except InvalidToken:
        raise SecretUnreadable("stored secret does not decrypt with BEATDESK_FIELD_KEY") from None


def encrypt_bytes(plain: bytes) -> bytes:
    """Return the bytes encrypted with the field key; empty bytes stay empty."""
    return _fernet().encrypt(plain) if plain else b""


def decrypt_bytes(stored: bytes | memoryview) -> bytes:
    """Return the plain bytes; raise SecretUnreadable when no configured key fits."""
    if not stored:
        return b""
    try:
        return _fernet().decrypt(bytes(stored))
    except InvalidToken:
        raise SecretUnreadable("stored file does not decrypt with BEATDESK_FIELD_KEY") from None


def rotate_token(stored: bytes) -> bytes:
    """Return a stored token encrypted again with the first key; raise if no key fits."""
    try:
        return _fernet().rotate(stored)
    except InvalidToken:
        raise SecretUnreadable("stored value does not decrypt with any configured key") from None


def blind_index(value: str) -> str:
    """Return the keyed HMAC that finds `value` by equality without storing it."""
    return _index_with(field_keys()[0], value)


def blind_indexes(value: str) -> list[str]:
    """Return the value's index under every configured key, for lookups during a rotation."""
    return [_index_with(key, value) for key in field_keys()]


def pseudonym(value: str) -> str:
    """Return a short keyed digest of an id, for keys that must tell people apart."""
    return blind_index(value)[:20]


def _index_with(key: str, value: str) -> str:
    if not value:
        return ""
    secret = _derive("blind-index-", key)
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def hint(secret: str) -> str:
    """Return a hint safe to show back: never more than the last two characters."""
    if len(secret) < 8:
        return "••••" if secret else ""
    return "••••" + secret[-2:]


class _EmptyOnlyExact(Exact):
    """Compare an encrypted column with the empty value, the only comparison it allows.

    Every encryption of one value differs, so comparing ciphertexts would quietly match
    nothing; asking for it is a programming error and says so.
    """

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", b"", {}, []):
            raise FieldError(f"{self.lhs.output_field.name} is encrypted: compare it with empty")
        return super().get_prep_lookup()


class _EncryptedLookups:
    """Allow only emptiness checks on an encrypted column; refuse every other lookup."""

    allowed_lookups: dict[str, type[Lookup]] = {"exact": _EmptyOnlyExact, "isnull": IsNull}

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        return self.allowed_lookups.get(lookup_name)

    def get_transform(self, lookup_name: str) -> None:
        return None


# The type arguments say what the model attribute holds (django_stubs_ext makes fields
# subscriptable at run time too).
class EncryptedTextField(_EncryptedLookups, models.TextField[str | Combinable, str]):
    """A text column whose value is encrypted before it reaches the database."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt_secret(value) if value else value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt_secret(value) if value else value

    # Serialized (by `beatdesk backup`, dumpdata) the value stays encrypted: a backup file
    # never holds a secret in the clear, and restoring needs the same BEATDESK_FIELD_KEY.
    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return SERIALIZED_PREFIX + encrypt_secret(value) if value else ""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(SERIALIZED_PREFIX):
            return decrypt_secret(value.removeprefix(SERIALIZED_PREFIX))
        return super().to_python(value)


class EncryptedBinaryField(
    _EncryptedLookups, models.BinaryField[bytes | memoryview | Combinable, bytes | memoryview]
):
    """A binary column (raw deliveries, photos, result files) encrypted at rest."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt_bytes(bytes(value)) if value else value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt_bytes(value) if value else b""

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return SERIALIZED_PREFIX + encrypt_bytes(bytes(value)).decode("ascii") if value else ""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(SERIALIZED_PREFIX):
            return decrypt_bytes(value.removeprefix(SERIALIZED_PREFIX).encode("ascii"))
        return super().to_python(value)


class EncryptedJSONField(_EncryptedLookups, models.TextField[Any, Any]):
    """A JSON value (a dict or list) kept as encrypted text; empty containers stay readable."""

    # What django-stubs' plugin reads to type the model attribute: JSON, not text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return text if not value else encrypt_secret(text)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(value if value.startswith(_PLAIN_JSON_STARTS) else decrypt_secret(value))

    def value_to_string(self, obj: models.Model) -> str:
        return SERIALIZED_PREFIX + encrypt_secret(json.dumps(self.value_from_object(obj)))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(SERIALIZED_PREFIX):
            return json.loads(decrypt_secret(value.removeprefix(SERIALIZED_PREFIX)))
        return value


class _BlindIndexExact(Lookup):
    """Find an encrypted value by equality through its blind index column."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler: "SQLCompiler", connection: Any) -> "_AsSqlType":
        target = getattr(self.lhs, "target", None)
        if not isinstance(target, IndexedEncryptedTextField) or not isinstance(self.rhs, str):
            raise FieldError("an indexed encrypted column is compared only with a text value")
        index = target.model._meta.get_field(target.index_field)
        assert isinstance(index, BlindIndexField)
        sql, params = compiler.compile(Col(self.lhs.alias, index))
        digests = blind_indexes(self.rhs) if self.rhs else [""]
        placeholders = ", ".join(["%s"] * len(digests))
        return f"{sql} IN ({placeholders})", (*params, *digests)


class IndexedEncryptedTextField(EncryptedTextField):
    """An encrypted text column that can still be found by equality (`field=value`).

    `index_field` names the model's `BlindIndexField` for this column; unique constraints
    go on that index, since two encryptions of one value never compare equal.
    """

    allowed_lookups = {"exact": _BlindIndexExact, "isnull": IsNull}

    def __init__(self, *args: Any, index_field: str, **kwargs: Any) -> None:
        self.index_field = index_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs | {"index_field": self.index_field}


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The keyed HMAC of another column, recomputed from it whenever the row is saved."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs | {"source": self.source}

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
