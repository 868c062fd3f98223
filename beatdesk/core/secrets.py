"""Encryption at rest for channel credentials (tokens, AES keys, app secrets).

The key comes from BEATDESK_FIELD_KEY; the database alone never reveals a secret.
"""

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

SERIALIZED_PREFIX = "fernet:"


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured key."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(settings.FIELD_ENCRYPTION_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(plain: str) -> str:
    """Return the secret encrypted and encoded as text; the empty secret stays empty."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt_secret(stored: str) -> str:
    """Return the plain secret; raise SecretUnreadable when the key does not fit."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode()
    except InvalidToken:
        raise SecretUnreadable("stored secret does not decrypt with BEATDESK_FIELD_KEY") from None


def encrypt_bytes(plain: bytes) -> bytes:
    """Return the bytes encrypted with the field key, for files kept only until used."""
    return _fernet().encrypt(plain) if plain else b""


def decrypt_bytes(stored: bytes | memoryview) -> bytes:
    """Return the plain bytes; raise SecretUnreadable when the key does not fit."""
    if not stored:
        return b""
    try:
        return _fernet().decrypt(bytes(stored))
    except InvalidToken:
        raise SecretUnreadable("stored file does not decrypt with BEATDESK_FIELD_KEY") from None


def hint(secret: str) -> str:
    """Return a hint safe to show back: never more than the last two characters."""
    if len(secret) < 8:
        return "••••" if secret else ""
    return "••••" + secret[-2:]


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
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
