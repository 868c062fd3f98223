"""An officer answers a resident from a phone, with the checker reading along as they type."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import PHONE, page_width, sign_in
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

DRAFT_WITH_PHONE_NUMBER = "您好，有事可以直接打我手机13812345678。"
CLEAN_ANSWER = "您好，我们已收到您的留言，民警会尽快与您联系。"


def _fits_the_phone(page: Page) -> None:
    assert page_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"
    assert_accessible(page)


def test_an_officer_signs_in_and_answers_a_case_on_a_phone(phone: Page, site: Site) -> None:
    phone.goto("/login/")
    _fits_the_phone(phone)
    save_screen(phone, "phone-sign-in")

    sign_in(phone)
    expect(phone.locator("#case-list .case").first).to_be_visible()
    _fits_the_phone(phone)
    save_screen(phone, "phone-inbox")

    phone.locator("#case-list .case a").first.click()
    expect(phone.locator("#answer-findings")).to_be_attached()
    _fits_the_phone(phone)

    answer = phone.locator("section.answer textarea[name=text]")
    answer.fill(DRAFT_WITH_PHONE_NUMBER)
    finding = phone.locator("#answer-findings .finding")
    expect(finding.first).to_contain_text("13812345678")
    answer.scroll_into_view_if_needed()
    _fits_the_phone(phone)
    save_screen(phone, "phone-case-findings")

    answer.fill(CLEAN_ANSWER)
    expect(finding).to_have_count(0)
    phone.click("section.answer form[action$='/answer/'] button[type=submit]")
    expect(phone.locator(".notices .success")).to_be_visible()
    expect(phone.locator(".conversation .message.out").last).to_contain_text(CLEAN_ANSWER)
    _fits_the_phone(phone)
    save_screen(phone, "phone-case-sent")
