"""Checks every webhook entry view makes before it stores a push.

A platform that signs only the query string (WeChat, Weibo) or a header (the official QQ
bot) leaves the body open to replay under a real signature; these checks refuse a stale
timestamp and a nonce that comes back with another body.
"""

import hashlib
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from beatdesk.channels.models import Account, WebhookNonce
from beatdesk.core.writelock import run_promptly


class Refused(Exception):
    """The request is not provably from the platform (or not fresh); answer 403, write nothing."""


def raw_key(body: bytes) -> str:
    """Return the delivery key of a push that carries no id of its own: its digest."""
    return "raw:" + hashlib.sha256(body).hexdigest()


def too_large(request: HttpRequest) -> bool:
    """Say whether the declared body is missing a length or is longer than we accept."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    return not declared.isdigit() or int(declared) > settings.WEBHOOK_MAX_BYTES


def check_fresh(request: HttpRequest) -> int:
    """Return the query string's timestamp; raise Refused if it is missing or stale."""
    raw = request.GET.get("timestamp", "")
    if not raw.isdigit():
        raise Refused("timestamp missing")
    timestamp = int(raw)
    if abs(time.time() - timestamp) > settings.WEBHOOK_TIMESTAMP_WINDOW:
        raise Refused("stale timestamp")
    return timestamp


def check_not_replayed(
    account: Account, nonce: str, timestamp: int, body: bytes, name: str = "nonce"
) -> None:
    """Remember the nonce with the body's digest; raise Refused if it came with another body."""
    # A retry repeats its body exactly and is deduplicated later; the same nonce with a
    # different body is someone replaying a signed request with a body of their own.
    digest = hashlib.sha256(body).hexdigest()
    if not run_promptly(lambda: _remember_nonce(account, nonce[:64], timestamp, digest)):
        seen = WebhookNonce.objects.get(account=account, nonce=nonce[:64], timestamp=timestamp)
        if seen.body_digest != digest:
            raise Refused(f"{name} replayed with another body")


def _remember_nonce(account: Account, nonce: str, timestamp: int, digest: str) -> bool:
    """Store the nonce; return False if it was already there."""
    try:
        with transaction.atomic():
            WebhookNonce.objects.create(
                account=account, nonce=nonce, timestamp=timestamp, body_digest=digest
            )
    except IntegrityError:
        return False
    return True
