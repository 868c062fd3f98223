"""What every walk does with a page: screen sizes, signing in, measuring the width."""

from playwright.sync_api import Page, ViewportSize

from tests.browser.server import DEMO_PASSWORD, OFFICER

PHONE = ViewportSize(width=360, height=740)
DESK = ViewportSize(width=1440, height=900)


def sign_in(page: Page, username: str = OFFICER) -> None:
    """Sign in through the form and land in the inbox."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/inbox/")


def page_width(page: Page) -> int:
    """Return how wide the page's content is; wider than the screen scrolls sideways."""
    width: int = page.evaluate("() => document.scrollingElement.scrollWidth")
    return width
