"""A resident follows their matter on a phone with the tracking code they were given."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import PHONE, page_width
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser


def test_a_resident_reads_the_officers_answer_on_the_tracking_page(
    phone: Page, site: Site
) -> None:
    phone.goto("/track/")
    assert_accessible(phone)

    phone.fill("#code", site.answered.tracking_code)
    phone.click("main form button[type=submit]")

    expect(phone.locator("main h2")).to_contain_text(site.answered.tracking_code)
    answer = phone.locator(".conversation .message.out .text")
    expect(answer).to_contain_text(site.answered.text.splitlines()[0])
    assert page_width(phone) <= PHONE["width"]
    assert_accessible(phone)
    save_screen(phone, "phone-track")
