"""The resident's pages stay light: under 100 KB before images on a slow phone connection.

Measured as the page's HTML plus every stylesheet and script it links, uncompressed (the
server may gzip them; a phone on a weak signal should not have to count on it).
"""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from beatdesk.inbox.models import Case
from tests.conftest import Cast
from tests.portal.conftest import form_fields

BUDGET_BYTES = 100 * 1024
LINKED = re.compile(r'(?:<link[^>]+href|<script[^>]+src)="/static/([^"?#]+)"')


def page_weight(html: str) -> tuple[int, list[str]]:
    """Return the bytes of the HTML and its linked stylesheets and scripts, and their names."""
    assets = LINKED.findall(html)
    total = len(html.encode("utf-8"))
    for asset in assets:
        found = finders.find(asset)
        assert isinstance(found, str), f"{asset} is linked but not found"
        total += Path(found).stat().st_size
    return total, assets


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_write_and_follow_pages_stay_under_100_kb(stations: Cast, language: str) -> None:
    client = Client(headers={"Accept-Language": language})
    client.post("/write/", form_fields())
    code = Case.objects.get().tracking_code

    for path in ["/write/", "/track/", f"/track/?code={code}"]:
        response = client.get(path)
        assert response.status_code == 200
        weight, assets = page_weight(response.content.decode())

        assert assets, "the page links its stylesheet"
        assert weight < BUDGET_BYTES, (path, weight, assets)
        print(f"{path} [{language}]: {weight:,} bytes with {', '.join(assets)}")
