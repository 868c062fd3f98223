"""The open inbox shows a resident's new case by itself, without a reload."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import sign_in
from tests.browser.resident import resident_writes
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

ACCOUNT = "wx-hz-xh-wl"
MESSAGE = "你好，我家楼下的路灯坏了好几天，晚上很黑，能帮忙反映一下吗？"
# The list polls every 20 seconds (inbox/case_list.html).
POLL_INTERVAL = "00:20"


def test_a_new_case_appears_in_the_open_inbox_within_one_poll(desk: Page, site: Site) -> None:
    # The page's clock is Playwright's, so one poll interval passes without waiting it out.
    desk.clock.install()
    sign_in(desk)
    assert_accessible(desk)
    desk.evaluate("() => { window.beatdeskNotReloaded = true; }")

    code = resident_writes(site, ACCOUNT, "oBROWSER_streetlight", MESSAGE)
    case_list = desk.locator("#case-list")
    expect(case_list).not_to_contain_text(code)
    desk.clock.fast_forward(POLL_INTERVAL)

    new_case = case_list.locator(".case", has_text=code)
    expect(new_case).to_be_visible()
    assert desk.evaluate("() => window.beatdeskNotReloaded === true")
    assert_accessible(desk)
    new_case.scroll_into_view_if_needed()
    save_screen(desk, "desk-inbox")
