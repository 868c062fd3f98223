"""On a phone, an officer works a sealed, verified tip without ever seeing who sent it."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.pages import PHONE, page_width, sign_in
from tests.browser.screens import save_screen
from tests.browser.server import Site

pytestmark = pytest.mark.browser

# The demo's tipster who wrote "不要说是我说的"; the officer of their station is officer4.
TIPSTER = "oDEMO_wz_001"
STATION_OFFICER = "officer4"


def test_an_officer_opens_a_sealed_verified_tip_on_a_phone(phone: Page, site: Site) -> None:
    sign_in(phone, STATION_OFFICER)
    sealed = phone.locator("#case-list .case:has(.resident.sealed)")
    expect(sealed).to_have_count(1)
    assert TIPSTER[:3] not in sealed.inner_text()

    sealed.locator("a").click()
    expect(phone.locator("section.verification .verifications li")).to_have_count(1)
    expect(phone.locator("section.verification form[action$='/answer/']")).to_have_count(1)
    assert page_width(phone) <= PHONE["width"], f"{phone.url} scrolls sideways on a phone"
    assert_accessible(phone)
    assert TIPSTER not in phone.content() and f"{TIPSTER[:3]}•••" not in phone.content()
    phone.locator("section.verification").scroll_into_view_if_needed()
    save_screen(phone, "phone-sealed-tip")
