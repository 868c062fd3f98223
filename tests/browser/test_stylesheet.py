"""Pages wear Beatdesk's own stylesheet, served by us under the Content-Security-Policy."""

import pytest
from playwright.sync_api import Page

from tests.browser.server import Site

pytestmark = pytest.mark.browser

ACCENT = "rgb(11, 79, 156)"  # --accent in beatdesk/static/beatdesk/app.css


def test_the_sign_in_page_wears_our_stylesheet(desk: Page, site: Site) -> None:
    with desk.expect_response("**/static/beatdesk/app.css") as stylesheet:
        desk.goto("/login/")

    assert stylesheet.value.status == 200
    assert (stylesheet.value.header_value("content-type") or "").startswith("text/css")
    header = desk.locator("header.top")
    assert header.evaluate("(e) => getComputedStyle(e).backgroundColor") == ACCENT
