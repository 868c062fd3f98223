"""Parse an Open311 POST (form data, never XML) into a typed request, refusing what is wrong."""

import math
import re
from dataclasses import dataclass

from django.http import QueryDict

from beatdesk.portal.forms import PHONE, plain_text
from beatdesk.portal.submissions import MAX_TEXT, RESIDENT_TYPES


class Open311Error(Exception):
    """A request the spec says to refuse; `status` is the HTTP code to answer with."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass(frozen=True)
class NewRequest:
    """A service request as a civic app posted it, validated."""

    service_code: str
    description: str
    latitude: str = ""
    longitude: str = ""
    address: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    media_url: str = ""


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


def _field(params: QueryDict, name: str, limit: int) -> str:
    value = plain_text(str(params.get(name, "")))
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    return value


def _coordinate(params: QueryDict, name: str, bound: float) -> str:
    raw = _field(params, name, 32)
    if not raw:
        return ""
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} is not a number") from None
    if not math.isfinite(value) or abs(value) > bound:
        raise Open311Error(400, f"{name} is out of range")
    return f"{value:.6f}"


def _location(params: QueryDict) -> tuple[str, str, str]:
    latitude = _coordinate(params, "lat", 90)
    longitude = _coordinate(params, "long", 180)
    if bool(latitude) != bool(longitude):
        raise Open311Error(400, "lat and long must be sent together")
    address = _field(params, "address_string", 250)
    if not (latitude or address):
        if params.get("address_id"):
            raise Open311Error(
                400, "address_id is not supported: send lat and long or address_string"
            )
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    return latitude, longitude, address


def _contact(params: QueryDict) -> tuple[str, str, str]:
    name = " ".join(
        part
        for part in (_field(params, "first_name", 50), _field(params, "last_name", 50))
        if part
    )
    phone = _field(params, "phone", 32)
    if phone and not PHONE.match(phone):
        raise Open311Error(400, "phone is not a phone number")
    email = _field(params, "email", 254)
    if email and not EMAIL.match(email):
        raise Open311Error(400, "email is not an email address")
    return name, phone, email


def _media_url(params: QueryDict) -> str:
    # Kept for the officer as text; we never fetch it, since it points anywhere.
    url = _field(params, "media_url", 500)
    if url and not url.lower().startswith(("https://", "http://")):
        raise Open311Error(400, "media_url must be an http or https address")
    return url


def parse_new_request(params: QueryDict) -> NewRequest:
    """Validate a POSTed request; api_key, device_id, account_id and attributes are ignored."""
    service_code = _field(params, "service_code", 32)
    if not service_code:
        raise Open311Error(400, "service_code was not provided")
    if service_code not in RESIDENT_TYPES:
        raise Open311Error(404, "service_code was not found")
    description = _field(params, "description", MAX_TEXT)
    if not description:
        raise Open311Error(400, "description is required: tell the police what happened")
    latitude, longitude, address = _location(params)
    name, phone, email = _contact(params)
    return NewRequest(
        service_code,
        description,
        latitude,
        longitude,
        address,
        name,
        phone,
        email,
        _media_url(params),
    )
