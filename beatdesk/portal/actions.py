"""Every state change of the portal: the station's portal account, storing a submission."""

import logging
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.channels.deliveries import Stored, store_delivery
from beatdesk.channels.models import Account, ChannelKind
from beatdesk.portal.access import stations_for_residents
from beatdesk.portal.models import Jurisdiction, Photo, ServiceRequest
from beatdesk.portal.photos import CleanPhoto
from beatdesk.portal.submissions import Submission
from beatdesk.units.areas import unit_for_place
from beatdesk.units.models import Unit

logger = logging.getLogger(__name__)

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
PUBLIC_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def _portal_accounts(unit: Unit) -> "list[Account]":
    return list(
        Account.objects.filter(unit=unit, kind=ChannelKind.PORTAL, owner__isnull=True).order_by(
            "pk"
        )
    )


def portal_account_for(unit: Unit) -> Account:
    """Return the unit's portal account, creating it on the first submission to the unit."""
    existing = _portal_accounts(unit)
    if existing:
        return existing[0]
    code = f"portal-{unit.code}"
    if len(code) > 64 or not SLUG.match(code):
        code = f"portal-unit-{unit.pk}"
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Web portal of %(unit)s") % {"unit": unit.name}
    try:
        with transaction.atomic():
            account = Account.objects.create(
                code=code, kind=ChannelKind.PORTAL, name=name[:200], unit=unit
            )
            record("account.created", account, unit=unit, kind=ChannelKind.PORTAL.value)
    except IntegrityError:
        # Two first submissions at once: the other request created it a moment ago.
        return _portal_accounts(unit)[0]
    logger.info("portal account created account=%s", account.code)
    return account


def do_store_submission(
    account: Account, key: str, submission: Submission, photos: list[CleanPhoto]
) -> Stored:
    """Commit the submission and its stripped photos before the resident is answered.

    The key names the submission (the form's nonce), so sending the same form twice finds
    the first row instead of opening a second case.
    """
    with transaction.atomic():
        stored = store_delivery(account, key, submission.to_json().encode(), submission.to_json())
        if stored.is_new:
            for position, photo in enumerate(photos):
                Photo.objects.create(
                    delivery=stored.delivery,
                    position=position,
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                    digest=photo.digest,
                    data=photo.data,
                )
    return stored


def new_public_id() -> str:
    """Return a fresh Open311 service_request_id: random, so it tells nothing of volume."""
    while True:
        public_id = "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(12))
        if not ServiceRequest.objects.filter(public_id=public_id).exists():
            return public_id


def do_store_service_request(
    jurisdiction: Jurisdiction, service_code: str, submission: Submission
) -> ServiceRequest:
    """Commit an Open311 request and its public record before the client is answered.

    The request goes to the station whose area holds its point or names its address, when
    exactly one open station inside the jurisdiction does; otherwise to the jurisdiction's
    own unit, where a person routes it.
    """
    account = portal_account_for(_station_for(jurisdiction, submission))
    public_id = new_public_id()
    with transaction.atomic():
        stored = do_store_submission(account, f"open311:{public_id}", submission, [])
        return ServiceRequest.objects.create(
            public_id=public_id,
            jurisdiction=jurisdiction,
            delivery=stored.delivery,
            service_code=service_code,
        )


def _point_of(submission: Submission) -> tuple[float, float] | None:
    try:
        longitude, latitude = float(submission.longitude), float(submission.latitude)
    except ValueError:
        return None
    return (longitude, latitude)


def _station_for(jurisdiction: Jurisdiction, submission: Submission) -> Unit:
    match = unit_for_place(
        text=submission.address, point=_point_of(submission), within=jurisdiction.unit
    )
    if match is not None and stations_for_residents().filter(pk=match.unit.pk).exists():
        return match.unit
    return jurisdiction.unit
