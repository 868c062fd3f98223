"""Sign in through the real two-step form, as a person would: password, then a code."""

import time

from django.test import Client

from beatdesk.units import second_factor, totp
from beatdesk.units.models import User

PASSWORD = "correct horse battery"


def enrolled(user: User) -> str:
    """Give the user a confirmed authenticator secret and return it."""
    return second_factor.enrol_for_demo(user)


def current_code(secret: str, offset_steps: int = 0) -> str:
    return totp.code_at(secret, time.time() + offset_steps * totp.STEP_SECONDS)


def sign_in_through_the_form(client: Client, user: User, password: str = PASSWORD) -> int:
    """Enrol the user if needed, then pass both steps; return the last status code."""
    secret = enrolled(user)
    client.post("/login/", {"username": user.username, "password": password})
    return client.post("/login/code/", {"code": current_code(secret)}).status_code
