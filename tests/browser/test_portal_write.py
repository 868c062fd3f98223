"""A resident writes to their station from a phone; the station's officer finds it in the inbox."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import PHONE, page_width, sign_in
from tests.browser.screens import save_screen
from tests.browser.server import OFFICER_UNIT, Site

pytestmark = pytest.mark.browser

MESSAGE = "我家楼道里的灯坏了两个星期，晚上老人上下楼很危险，麻烦帮忙联系物业修一下。"
# The form refuses what is sent faster than a person could type it (the human check).
HUMAN_FILL_MILLISECONDS = 3_500


def test_a_resident_writes_from_a_phone_and_follows_it_with_the_tracking_code(
    phone: Page, desk: Page, site: Site
) -> None:
    phone.goto("/write/")
    assert_accessible(phone)
    assert page_width(phone) <= PHONE["width"]

    phone.select_option("#id_station", OFFICER_UNIT)
    phone.check("input[name=case_type][value=help]")
    phone.fill("#id_text", MESSAGE)
    phone.fill("#id_name", "李阿姨")
    phone.wait_for_timeout(HUMAN_FILL_MILLISECONDS)
    save_screen(phone, "phone-portal-write")
    phone.click("main form button[type=submit]")

    code = phone.locator(".tracking-code")
    expect(code).to_be_visible()
    tracking_code = code.inner_text().strip()
    assert page_width(phone) <= PHONE["width"]
    assert_accessible(phone)
    save_screen(phone, "phone-portal-sent")

    phone.click(f"a[href$='code={tracking_code}']")
    expect(phone.locator("main h2")).to_contain_text(tracking_code)
    assert_accessible(phone)

    # The newest case is listed first: the officer of the chosen station sees it at once.
    sign_in(desk)
    expect(desk.locator("main")).to_contain_text(tracking_code)
