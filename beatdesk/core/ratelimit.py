"""Fixed-window rate limits kept in the database, so every process and machine counts together.

Used where a guess is cheap and a hit is valuable: tracking codes on the public portal and
staff passwords. Keys are digests of the purpose and the client, never the raw address.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone

from beatdesk.core.models import RateCounter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `window` for one client and purpose."""

    purpose: str
    count: int
    window: timedelta


TRACKING_LOOKUPS = Limit("portal.track", 30, timedelta(minutes=10))
# Writing from the portal or through Open311 opens a case each time; one address must not
# flood a station's inbox. Generous, because many phones share one carrier-grade NAT address.
PORTAL_SUBMISSIONS = Limit("portal.submit", 20, timedelta(minutes=10))
# Long checks hold a web worker; one script must not hold them all.
API_CHECKS = Limit("api.check", 120, timedelta(minutes=1))
FAILED_SIGN_INS_PER_NAME = Limit("login.name", 5, timedelta(minutes=15))
FAILED_SIGN_INS_PER_ADDRESS = Limit("login.address", 20, timedelta(minutes=15))


def client_address(request: HttpRequest) -> str:
    """Return the client's address as our own server saw it.

    A forwarded-for header is believed only from a proxy listed in
    BEATDESK_TRUSTED_PROXIES; from anyone else it is ignored, since it is trivially forged.
    """
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if peer in settings.TRUSTED_PROXIES:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return peer


def _key(limit: Limit, client: str) -> str:
    material = f"{settings.SECRET_KEY}\n{limit.purpose}\n{client}"
    return hashlib.sha256(material.encode()).hexdigest()


def _window_start(limit: Limit, now: datetime) -> datetime:
    seconds = int(limit.window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def note(limit: Limit, client: str) -> int:
    """Count one event for the client now; return the count in the current window."""
    key, start = _key(limit, client), _window_start(limit, timezone.now())
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=key, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:
                # Another process created the window's row first; count on it.
                RateCounter.objects.filter(key=key, window_start=start).update(
                    count=F("count") + 1
                )
    return used(limit, client)


def used(limit: Limit, client: str) -> int:
    """Return how many events the client has in the current window."""
    key, start = _key(limit, client), _window_start(limit, timezone.now())
    total = RateCounter.objects.filter(key=key, window_start=start).aggregate(n=Sum("count"))
    return int(total["n"] or 0)


def exceeded(limit: Limit, client: str) -> bool:
    """Return whether the client has already used up the current window."""
    return used(limit, client) >= limit.count


def clear(limit: Limit, client: str) -> None:
    """Forget the client's count (a successful sign-in clears its failures)."""
    RateCounter.objects.filter(key=_key(limit, client)).delete()


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete counters of windows long past; the minute sweep calls this."""
    deleted, _ = RateCounter.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted
