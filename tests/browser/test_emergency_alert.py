"""An emergency reaches the duty officer's open page by itself, as a banner and a tone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import sign_in
from tests.browser.resident import resident_writes
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

ACCOUNT = "wx-hz-xh-wl"
DANGER = "救命！有人拿着刀在楼下追着砍人，现在还在追，快来！"
# Every staff page asks for the banner every 10 seconds (inbox/emergency_alerts.html).
BANNER_POLL = "00:10"
# What the sound control may say once turned on and the page reloaded.
STATES = ["on", "blocked"]


def test_an_emergency_shows_on_the_duty_officers_page_and_sounds_without_a_reload(
    desk: Page, site: Site
) -> None:
    desk.clock.install()
    sign_in(desk)
    # Any staff page will do; the checker is one the officer may be working on.
    desk.goto("/checker/")
    toggle = desk.locator("#alert-sound-toggle")
    sound = desk.locator("#alert-sound")
    expect(toggle).to_have_text(sound.get_attribute("data-turn-on") or "?")
    toggle.click()
    expect(desk.locator("body")).to_have_attribute("data-alert-sound", "on")
    expect(toggle).to_have_text(sound.get_attribute("data-turn-off") or "?")
    assert_accessible(desk)
    desk.evaluate("() => { window.beatdeskNotReloaded = true; }")

    code = resident_writes(site, ACCOUNT, "oBROWSER_knife", DANGER)
    alerts = desk.locator("#emergency-alerts")
    expect(alerts).not_to_contain_text(code)
    desk.clock.fast_forward(BANNER_POLL)

    banner = alerts.locator(".emergency-banner")
    expect(banner).to_contain_text(code)
    expect(banner).to_have_attribute("role", "alert")
    expect(desk.locator("body")).to_have_attribute("data-alert-tones", "1")
    assert desk.evaluate("() => window.beatdeskNotReloaded === true")
    assert_accessible(desk)
    save_screen(desk, "desk-emergency-alert")

    # Nothing new at the next poll: the banner stays as it is and no second tone plays.
    desk.clock.fast_forward(BANNER_POLL)
    expect(banner).to_contain_text(code)
    expect(desk.locator("body")).to_have_attribute("data-alert-tones", "1")
    _the_choice_of_sound_survives_a_reload(desk)
    _acknowledging_clears_the_banner(desk, code)


def _the_choice_of_sound_survives_a_reload(desk: Page) -> None:
    desk.reload()
    sound = desk.locator("#alert-sound")
    expect(desk.locator("#alert-sound-toggle")).to_have_text(
        sound.get_attribute("data-turn-off") or "?"
    )
    # Without a click since the reload the browser may hold the sound back; the page says so.
    either = "|".join(re.escape(sound.get_attribute(f"data-{state}") or "?") for state in STATES)
    expect(desk.locator("#alert-sound-state")).to_have_text(re.compile(f"^({either})$"))
    expect(desk.locator("body")).to_have_attribute(
        "data-alert-sound", re.compile("^(on|blocked)$")
    )
    # The emergency was sounded already in this tab; a new page does not sound it again.
    assert desk.locator("body").get_attribute("data-alert-tones") is None


def _acknowledging_clears_the_banner(desk: Page, code: str) -> None:
    desk.locator("#emergency-alerts a", has_text=code).click()
    desk.click(".emergency-case form button[type=submit]")
    expect(desk.locator(".emergency-case form")).to_have_count(0)
    expect(desk.locator("#emergency-alerts")).not_to_contain_text(code)
