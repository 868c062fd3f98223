"""Guessing is slow: tracking codes and staff passwords are rate limited across processes."""

import pytest
from django.test import Client

from beatdesk.core.ratelimit import FAILED_SIGN_INS_PER_NAME, TRACKING_LOOKUPS
from tests.conftest import Cast
from tests.core.ratelimit_helpers import wait_for_fresh_window
from tests.units.signing_in import sign_in_through_the_form


def test_wrong_tracking_codes_are_refused_after_the_limit_but_not_for_other_clients(
    db: None,
) -> None:
    wait_for_fresh_window(TRACKING_LOOKUPS)
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        guesser.get("/track/", {"code": f"WRONG{n:03d}"}).status_code
        for n in range(TRACKING_LOOKUPS.count + 1)
    ]

    assert statuses[: TRACKING_LOOKUPS.count] == [404] * TRACKING_LOOKUPS.count
    assert statuses[-1] == 429
    assert Client(REMOTE_ADDR="203.0.113.8").get("/track/", {"code": "X"}).status_code == 404


def test_a_forged_forwarded_for_header_does_not_reset_the_count(db: None) -> None:
    wait_for_fresh_window(TRACKING_LOOKUPS)
    for n in range(TRACKING_LOOKUPS.count):
        Client(REMOTE_ADDR="203.0.113.9").get(
            "/track/", {"code": f"W{n}"}, headers={"X-Forwarded-For": f"198.51.100.{n}"}
        )

    forged = Client(REMOTE_ADDR="203.0.113.9").get(
        "/track/", {"code": "W999"}, headers={"X-Forwarded-For": "198.51.100.250"}
    )

    assert forged.status_code == 429


def test_five_wrong_passwords_lock_the_name_even_against_the_right_password(
    cast: Cast,
) -> None:
    wait_for_fresh_window(FAILED_SIGN_INS_PER_NAME)
    client = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(5):
        wrong = client.post("/login/", {"username": "officer_anna", "password": "nope"})
        assert wrong.status_code == 200

    locked = client.post(
        "/login/", {"username": "officer_anna", "password": "correct horse battery"}
    )
    other = Client(REMOTE_ADDR="192.0.2.11").post(
        "/login/", {"username": "officer_bo", "password": "correct horse battery"}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert other.status_code == 302


@pytest.mark.parametrize("name", ["OFFICER_ANNA", " officer_anna "])
def test_the_lock_holds_whatever_the_case_or_spaces_of_the_name(cast: Cast, name: str) -> None:
    wait_for_fresh_window(FAILED_SIGN_INS_PER_NAME)
    client = Client(REMOTE_ADDR="192.0.2.12")
    for _ in range(5):
        client.post("/login/", {"username": "officer_anna", "password": "nope"})

    response = client.post("/login/", {"username": name, "password": "correct horse battery"})

    assert response.status_code == 429


def test_a_completed_sign_in_clears_earlier_failures(cast: Cast) -> None:
    wait_for_fresh_window(FAILED_SIGN_INS_PER_NAME)
    client = Client(REMOTE_ADDR="192.0.2.13")
    for _ in range(4):
        client.post("/login/", {"username": "officer_anna", "password": "nope"})
    sign_in_through_the_form(client, cast.officer_a)

    again = Client(REMOTE_ADDR="192.0.2.14")
    for _ in range(4):
        again.post("/login/", {"username": "officer_anna", "password": "nope"})

    assert (
        again.post(
            "/login/", {"username": "officer_anna", "password": "correct horse battery"}
        ).status_code
        == 302
    )
