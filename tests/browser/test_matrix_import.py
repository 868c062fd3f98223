"""An operator imports a matrix file and follows the worker's progress to the counts.

The city's operator adds a community office under 文澜派出所 and its officer, at phone and
desk sizes, in Chinese (the demo's language) and in English. Each walk adds units of its
own, so every walk sees one unit and one person created.
"""

import pytest
from playwright.sync_api import FilePayload, Page, expect

from beatdesk.channels.matrix import COLUMNS
from tests.browser.axe import assert_accessible
from tests.browser.pages import page_width, sign_in
from tests.browser.screens import save_screen
from tests.browser.server import OFFICER_UNIT, OPERATOR, Site

pytestmark = pytest.mark.browser

# Units created, units already there, people created, people already there, accounts...
EXPECTED_COUNTS = ["1", "0", "1", "0", "0", "0"]


def matrix_file(walk: str) -> bytes:
    """Return a small matrix adding one community office and its officer, named for the walk."""
    code = f"{OFFICER_UNIT}-{walk}"
    unit = {"record": "unit", "code": code, "name": f"文澜社区警务室 {walk}", "kind": "community"}
    person = {"record": "person", "username": f"officer-{walk}", "role": "officer"}
    rows = [
        unit | {"parent": OFFICER_UNIT},
        person | {"display_name": f"社区民警 {walk}", "unit": code},
    ]
    lines = [",".join(COLUMNS)]
    lines += [",".join(row.get(column, "") for column in COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _fits(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page_width(page) <= width, f"{page.url} scrolls sideways"
    assert_accessible(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["phone", "desk"])
def test_an_operator_imports_a_matrix_file_and_follows_it_to_the_counts(
    request: pytest.FixtureRequest, site: Site, size: str, language: str
) -> None:
    page: Page = request.getfixturevalue(size)
    sign_in(page, OPERATOR)
    if language == "en":
        page.click("header button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.click("header nav a[href='/jobs/']")
    page.wait_for_url("**/jobs/")
    _fits(page)
    page.click("main a[href='/matrix/import/']")
    page.wait_for_url("**/matrix/import/")
    _fits(page)

    walk = f"{size}-{language}"
    upload = FilePayload(name="matrix.csv", mimeType="text/csv", buffer=matrix_file(walk))
    page.set_input_files("#id_file", files=[upload])
    page.click("main form button[type=submit]")
    page.wait_for_url("**/jobs/*/")

    status = page.locator("#job-status")
    expect(status).to_have_class("job-status job-done")
    progress = status.locator("progress")
    expect(progress).to_have_attribute("value", "2")
    expect(progress).to_have_attribute("max", "2")
    expect(status.locator(".counts dd")).to_have_text(EXPECTED_COUNTS)
    _fits(page)
    if size == "desk" and language == "zh-hans":
        save_screen(page, "desk-matrix-import")

    page.click("main a[href='/jobs/']")
    expect(page.locator(".jobs .job-done").first).to_be_visible()
    _fits(page)
