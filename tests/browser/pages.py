"""What every walk does with a page: screen sizes, signing in, measuring the width."""

import time

from playwright.sync_api import Page, ViewportSize

from beatdesk.units import totp
from tests.browser.server import DEMO_PASSWORD, OFFICER

PHONE = ViewportSize(width=360, height=740)
DESK = ViewportSize(width=1440, height=900)


# Each demo user's sign-in key, filled in by the site fixture once the demo has loaded.
SIGN_IN_KEYS: dict[str, str] = {}
# The newest time step whose code each user has used: the server takes no code twice.
_used_steps: dict[str, int] = {}


def fresh_code(username: str) -> str:
    """Return a code the server has not seen, as an authenticator app would next show."""
    secret = SIGN_IN_KEYS[username]
    while True:
        now = totp.step_at(time.time())
        # The server accepts the step on either side of its own; take the oldest unused one.
        for step in range(now - totp.DRIFT_STEPS, now + totp.DRIFT_STEPS + 1):
            if step > _used_steps.get(username, 0):
                _used_steps[username] = step
                return totp.code_for_step(secret, step)
        time.sleep(1)


def sign_in(page: Page, username: str = OFFICER) -> None:
    """Sign in through both steps of the form and land in the inbox."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/login/code/")
    page.fill("#id_code", fresh_code(username))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/inbox/")


def page_width(page: Page) -> int:
    """Return how wide the page's content is; wider than the screen scrolls sideways."""
    width: int = page.evaluate("() => document.scrollingElement.scrollWidth")
    return width
