"""At a desk, an officer moves through the inbox and works a case from the keyboard."""

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import sign_in
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser


def _leave_the_field(desk: Page) -> None:
    desk.evaluate("() => document.activeElement.blur()")


def _help_title(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Keyboard shortcuts")


def test_the_keys_move_through_the_list_and_open_a_case(desk: Page, site: Site) -> None:
    sign_in(desk)
    cases = desk.locator("#case-list .case > a")
    expect(cases.nth(2)).to_be_visible()
    hrefs = [cases.nth(index).get_attribute("href") for index in range(3)]

    desk.keyboard.press("j")
    expect(cases.nth(0)).to_be_focused()
    desk.keyboard.press("j")
    desk.keyboard.press("j")
    expect(cases.nth(2)).to_be_focused()
    desk.keyboard.press("k")
    expect(cases.nth(1)).to_be_focused()
    # With a modifier held the key belongs to the browser, not to the desk.
    desk.keyboard.press("Alt+j")
    expect(cases.nth(1)).to_be_focused()
    assert_accessible(desk)

    desk.keyboard.press("Enter")
    desk.wait_for_url(f"**{hrefs[1]}")
    _work_the_case_from_the_keyboard(desk)

    desk.keyboard.press("n")
    desk.wait_for_url(f"**{hrefs[2]}")
    desk.keyboard.press("g")
    desk.keyboard.press("i")
    desk.wait_for_url("**/inbox/")


def _work_the_case_from_the_keyboard(desk: Page) -> None:
    answer = desk.locator("[data-shortcut=answer] textarea")
    desk.keyboard.press("a")
    expect(answer).to_be_focused()
    # Typing in the answer box writes letters; it moves nowhere.
    desk.keyboard.type("jn")
    expect(answer).to_have_value("jn")
    answer.fill("")
    _leave_the_field(desk)

    desk.keyboard.press("s")
    _expect_focused(desk.locator("[data-shortcut=assign] select"))
    _leave_the_field(desk)
    desk.keyboard.press("r")
    _expect_focused(desk.locator("[data-shortcut=status] select"))
    _leave_the_field(desk)


def _expect_focused(control: Locator) -> None:
    expect(control).to_be_focused()
    expect(control).to_be_in_viewport()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_question_mark_opens_the_help_in_the_pages_language(
    desk: Page, site: Site, language: str
) -> None:
    sign_in(desk)
    if language == "en":
        desk.click("header button[name=language][value=en]")
    expect(desk.locator("html")).to_have_attribute("lang", language)
    expect(desk.locator("[data-shortcuts-open]")).to_be_visible()

    desk.keyboard.press("?")

    dialog = desk.locator("#shortcuts-help")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(_help_title(language))
    expect(dialog.locator("kbd", has_text="j")).to_be_visible()
    assert_accessible(desk)
    save_screen(desk, "desk-shortcuts" if language == "zh-hans" else "desk-shortcuts-en")
    desk.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    desk.click("[data-shortcuts-open]")
    expect(dialog).to_be_visible()
    dialog.locator("form[method=dialog] button").click()
    expect(dialog).to_be_hidden()
