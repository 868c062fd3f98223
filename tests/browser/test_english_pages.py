"""Switched to English in the header, every main screen still fits a phone and passes axe."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import PHONE, page_width, sign_in
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

DRAFT = "Call me on 13812345678 if anything changes."


def _fits_the_phone(page: Page) -> None:
    assert page_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"
    assert_accessible(page)


def test_the_main_screens_work_in_english_on_a_phone(phone: Page, site: Site) -> None:
    phone.goto(f"/track/?code={site.answered.tracking_code}")
    phone.click("header button[name=language][value=en]")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator(".conversation .message.out")).to_have_count(1)
    _fits_the_phone(phone)

    phone.goto("/login/")
    _fits_the_phone(phone)
    sign_in(phone)
    _fits_the_phone(phone)
    save_screen(phone, "phone-inbox-en")

    phone.locator("#case-list .case a").first.click()
    expect(phone.locator("h1")).to_contain_text("Case")
    _fits_the_phone(phone)

    phone.goto("/checker/")
    phone.fill("#id_text", DRAFT)
    phone.click("main form button[type=submit]")
    marked = phone.locator(".checked-text mark").first
    expect(marked).to_contain_text("13812345678")
    _fits_the_phone(phone)
    marked.scroll_into_view_if_needed()
    save_screen(phone, "phone-checker-en")
