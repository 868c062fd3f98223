"""Each staff member's authenticator secret: enrol, confirm, accept codes once, reset.

The secret is stored encrypted with the field key; a code's time step is remembered, so a
code seen over someone's shoulder cannot be used again, even within its 30 seconds.
"""

import logging
import time

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from beatdesk.audit.actions import record
from beatdesk.units import totp
from beatdesk.units.models import SecondFactor, User

logger = logging.getLogger(__name__)

grouped = totp.grouped


def is_enrolled(user: User) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def enrolment_secret(user: User) -> str:
    """Return the secret being enrolled, making one on the first visit (kept on reload)."""
    factor, _created = SecondFactor.objects.get_or_create(
        user=user, defaults={"secret": totp.new_secret()}
    )
    return str(factor.secret)


def provisioning_uri(user: User, secret: str) -> str:
    return totp.provisioning_uri(secret, user.username, settings.SECOND_FACTOR_ISSUER)


def qr_svg(uri: str) -> SafeString:
    """Return the address as an inline SVG QR code: drawn here, nothing fetched."""
    code = segno.make(uri, error="m")
    # segno writes only paths and numbers of its own; the secret is inside the path data.
    return mark_safe(code.svg_inline(scale=4, dark="#000", light="#fff", title=None))  # noqa: S308


def _take_code(factor: SecondFactor, code: str) -> bool:
    step = totp.matching_step(str(factor.secret), code, time.time(), factor.last_step)
    if step is None:
        return False
    factor.last_step = step
    factor.save(update_fields=["last_step"])
    return True


def accept_code(user: User, code: str) -> bool:
    """Return whether the code is valid now and unused; a used code's step is kept."""
    with transaction.atomic():
        # Locked, so two sign-ins racing with one code cannot both get through.
        factor = (
            SecondFactor.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        return factor is not None and _take_code(factor, code)


def confirm(user: User, code: str) -> bool:
    """Confirm enrolment with a first code from the app; audited."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is None or factor.confirmed_at is not None or not _take_code(factor, code):
            return False
        factor.confirmed_at = timezone.now()
        factor.save(update_fields=["confirmed_at"])
        record("user.second_factor_enrolled", user, actor=user)
    logger.info("second factor enrolled user=%s", user.pk)
    return True


def reset(user: User, actor: User | None) -> None:
    """Forget a lost authenticator; the next sign-in enrols a new one. Audited."""
    with transaction.atomic():
        SecondFactor.objects.filter(user=user).delete()
        record("user.second_factor_reset", user, actor=actor)
    logger.info("second factor reset user=%s", user.pk)


def enrol_for_demo(user: User) -> str:
    """Give a demo user a confirmed secret at once and return it, for the demo's printout."""
    secret = totp.new_secret()
    SecondFactor.objects.update_or_create(
        user=user,
        defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": 0},
    )
    return secret
