"""Stations that take residents' messages, and a resident who fills in the write form."""

import io
import time
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from PIL import Image

from beatdesk.portal.humancheck import issue_token
from beatdesk.portal.models import Jurisdiction
from tests.conftest import Cast

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


@pytest.fixture
def stations(cast: Cast) -> Cast:
    """Give both stations public contact details, so residents can write to them."""
    for station in (cast.station_a, cast.station_b):
        station.contact_phone = "0571-87000000"
        station.office_hours = "8:30-17:30"
        station.save()
    return cast


@pytest.fixture
def jurisdiction(stations: Cast) -> Jurisdiction:
    return Jurisdiction.objects.create(code="city.example.cn", unit=stations.station_a)


def opened_form_token(seconds_ago: float = 30) -> str:
    """Return the token of a form the resident opened a while ago."""
    return issue_token(time.time() - seconds_ago)


def form_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "station": "station-a",
        "case_type": "help",
        "text": "楼下的路灯坏了一个星期，晚上回家很黑，请帮忙联系修一下。",
        "name": "王芳",
        "phone": "13800138000",
        "token": opened_form_token(),
        "website": "",
    }
    fields.update(overrides)
    return fields


def image_bytes(image_format: str, size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, image_format, **save)
    return output.getvalue()


def write(client: Client, **overrides: object) -> "Response":
    return client.post("/write/", form_fields(**overrides))
