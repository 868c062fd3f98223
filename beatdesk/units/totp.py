"""Time-based one-time codes (RFC 6238 over RFC 4226), the second step of staff sign-in.

Django-free: a secret is 20 random bytes, shown to the officer in base32 for their
authenticator app; a code is six digits for a 30-second step. A code is accepted for the
current step and the one on either side (phone clocks drift), and never twice: the caller
keeps the last step used and passes it back.
"""

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20
# One step either side: a code typed just as it changes, or on a phone a little off time.
DRIFT_STEPS = 1


def new_secret() -> str:
    """Return a fresh secret in base32 without padding, as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def step_at(unix_seconds: float) -> int:
    return int(unix_seconds // STEP_SECONDS)


def code_for_step(secret: str, step: int) -> str:
    """Return the code of one time step (RFC 4226's HOTP with the step as counter)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, unix_seconds: float) -> str:
    return code_for_step(secret, step_at(unix_seconds))


def matching_step(secret: str, code: str, unix_seconds: float, last_used_step: int) -> int | None:
    """Return the step `code` belongs to if it is valid now and newer than the last one used."""
    typed = "".join(code.split())
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    now = step_at(unix_seconds)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > last_used_step and hmac.compare_digest(code_for_step(secret, step), typed):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the otpauth:// address an authenticator app reads from a QR code or a link."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """Return the secret in groups of four, easier to type into a phone by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
