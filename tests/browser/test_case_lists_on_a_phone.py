"""On a phone, the inbox's named lists show their unread counts, which follow the officer."""

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import PHONE, page_width, sign_in
from tests.browser.resident import resident_writes
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

ACCOUNT = "wx-hz-xh-wl"
QUESTION = {
    "zh-hans": "你好，小区门口的井盖松了，走上去会晃，麻烦看一下。",
    "en": "你好，我们楼道里堆满了杂物，消防通道都被堵住了，能来看看吗？",
}
# The list polls every 20 seconds (inbox/case_list.html).
LIST_POLL = "00:20"


def _fits_the_phone(page: Page) -> None:
    assert page_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"
    assert_accessible(page)


def _in(language: str, english: str) -> str:
    with translation.override(language):
        return translation.gettext(english)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_lists_and_their_unread_counts_work_on_a_phone(
    phone: Page, site: Site, language: str
) -> None:
    phone.clock.install()
    sign_in(phone)
    if language == "en":
        phone.click("header button[name=language][value=en]")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    lists = phone.locator(".case-lists a")
    expect(lists).to_have_count(5)
    expect(lists.nth(2)).to_have_attribute("aria-current", "page")
    expect(lists.nth(0)).to_contain_text(_in(language, "Mine"))
    _fits_the_phone(phone)

    code = resident_writes(site, ACCOUNT, f"oBROWSER_lists_{language}", QUESTION[language])
    phone.clock.fast_forward(LIST_POLL)
    new_case = phone.locator("#case-list .case", has_text=code)
    expect(new_case).to_have_class("case priority-0 unread")
    expect(new_case.locator(".unread-mark")).to_have_text(_in(language, "Unread"))
    expect(lists.nth(2).locator(".unread-count")).to_be_visible()
    _fits_the_phone(phone)
    new_case.scroll_into_view_if_needed()
    save_screen(phone, "phone-case-lists" if language == "zh-hans" else "phone-case-lists-en")

    new_case.locator("a").click()
    expect(phone.locator("h1")).to_contain_text(code)
    phone.goto("/inbox/?list=all")
    expect(phone.locator(".case-lists a").nth(4)).to_have_attribute("aria-current", "page")
    read_case = phone.locator("#case-list .case", has_text=code)
    expect(read_case).to_be_visible()
    expect(read_case.locator(".unread-mark")).to_have_count(0)
    _fits_the_phone(phone)
