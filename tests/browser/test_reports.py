"""The leader of 西湖区分局 reads the reports at a desk and on a phone, in both languages."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import PHONE, page_width, sign_in
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

# The demo's leader of 西湖区分局 (hz-xh), who covers its stations.
LEADER = "leader"


def _open_reports(page: Page) -> None:
    sign_in(page, LEADER)
    page.click("header nav a[href='/reports/']")
    page.wait_for_url("**/reports/")
    expect(page.locator(".report-chart")).to_have_count(4)
    # The demo's cases all arrived today, so the volume charts have something to draw.
    expect(page.locator("#case-volume-heading ~ .chart-frame svg")).to_be_visible()


def test_the_leader_sees_the_charts_side_by_side_at_a_desk(desk: Page, site: Site) -> None:
    _open_reports(desk)
    expect(desk.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_accessible(desk)

    first, second = (desk.locator(".report-chart").nth(n).bounding_box() for n in (0, 1))
    assert first is not None and second is not None
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"]
    save_screen(desk, "desk-reports")


def test_the_reports_stay_usable_on_a_phone_in_chinese_and_in_english(
    phone: Page, site: Site
) -> None:
    _open_reports(phone)
    assert page_width(phone) <= PHONE["width"], "the reports scroll sideways on a phone"
    assert_accessible(phone)

    phone.click("header button[name=language][value=en]")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("h1")).to_have_text("Reports")
    numbers = phone.locator("#case-volume-heading ~ details")
    numbers.locator("summary").click()
    expect(numbers.locator("table tbody tr")).to_have_count(30)
    assert page_width(phone) <= PHONE["width"], "the open table widens the page on a phone"
    assert_accessible(phone)
    save_screen(phone, "phone-reports-en")


def test_the_leader_takes_the_report_away_as_a_workbook(desk: Page, site: Site) -> None:
    _open_reports(desk)
    desk.click("header button[name=language][value=en]")
    desk.select_option("#id_days", "7")
    desk.click("form.report-filter button[type=submit]")
    desk.wait_for_url("**/reports/?days=7*")

    desk.click("form.report-file button[type=submit]")
    desk.wait_for_url("**/jobs/*/")
    status = desk.locator("#job-status")
    expect(status).to_have_class("job-status job-done")
    assert_accessible(desk)

    with desk.expect_download() as download:
        status.locator("a[href$='/file/']").click()
    assert download.value.suggested_filename.startswith("report-")
    assert download.value.suggested_filename.endswith(".xlsx")
