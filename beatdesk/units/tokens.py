"""Personal API tokens: made once, stored as a digest, checked in constant time per digest."""

import hashlib
import secrets

from django.utils import timezone

from beatdesk.units.models import ApiToken, User

TOKEN_PREFIX = "bd_"  # noqa: S105 - a public marker, not a secret


def _digest(token: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough; no slow hash is needed.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for a user; return the row and the token, which is never shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name[:100], prefix=token[:10], digest=_digest(token)
    )
    return row, token


def user_for_token(token: str) -> User | None:
    """Return the active user a valid, unrevoked token belongs to, noting its use."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = (
        ApiToken.objects.filter(digest=_digest(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def revoke_token(prefix: str, username: str) -> int:
    """Revoke a user's tokens starting with `prefix`; return how many were revoked."""
    return ApiToken.objects.filter(
        user__username=username, prefix__startswith=prefix, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
