"""On the checker page at a desk, a finding is marked in the text with its reason listed."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import sign_in
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

DRAFT = "您好，您反映的情况我们已经记录，有事可以直接打我手机13812345678。"


def test_an_officer_sees_a_finding_marked_in_place_with_its_reason(desk: Page, site: Site) -> None:
    sign_in(desk)
    desk.goto("/checker/")
    assert_accessible(desk)

    desk.fill("#id_text", DRAFT)
    desk.click("main form button[type=submit]")

    mark = desk.locator(".checked-text mark", has_text="13812345678")
    expect(mark).to_have_count(1)
    target = mark.locator("a.ref").first.get_attribute("href")
    assert target is not None and target.startswith("#finding-")
    finding = desk.locator(f"#check-findings {target}")
    expect(finding).to_be_visible()
    expect(finding.locator("div").first).not_to_be_empty()
    assert_accessible(desk)
    save_screen(desk, "desk-checker")
