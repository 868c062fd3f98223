"""Staff sign in with a password and then a code from an authenticator app (TOTP)."""

import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.core.ratelimit import FAILED_SIGN_INS_PER_NAME
from beatdesk.units import totp
from beatdesk.units.models import SecondFactor
from beatdesk.units.views import PENDING_SECONDS
from tests.conftest import Cast
from tests.core.ratelimit_helpers import wait_for_fresh_window
from tests.units.signing_in import PASSWORD, current_code, enrolled, sign_in_through_the_form

# RFC 6238, appendix B: the SHA-1 seed "12345678901234567890", eight digits there, six here.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize(
    ("unix_seconds", "code"),
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_codes_match_the_rfc_6238_test_vectors(unix_seconds: int, code: str) -> None:
    assert totp.code_at(RFC_SECRET, unix_seconds) == code


def test_a_code_is_accepted_one_step_either_side_and_never_for_an_older_step() -> None:
    now = 1_700_000_000
    step = totp.step_at(now)
    previous = totp.code_for_step(RFC_SECRET, step - 1)

    assert totp.matching_step(RFC_SECRET, previous, now, last_used_step=0) == step - 1
    assert totp.matching_step(RFC_SECRET, previous, now, last_used_step=step - 1) is None
    assert totp.matching_step(RFC_SECRET, totp.code_for_step(RFC_SECRET, step - 2), now, 0) is None
    assert totp.matching_step(RFC_SECRET, "12345", now, 0) is None


def test_the_password_alone_signs_nobody_in_and_the_code_does(cast: Cast) -> None:
    secret = enrolled(cast.officer_a)
    client = Client()

    after_password = client.post(
        "/login/", {"username": "officer_anna", "password": PASSWORD, "next": "/checker/"}
    )
    inbox_meanwhile = client.get("/inbox/")
    after_code = client.post("/login/code/", {"code": current_code(secret)})

    assert after_password["Location"] == "/login/code/"
    assert inbox_meanwhile.status_code == 302
    assert inbox_meanwhile["Location"].startswith("/login/")
    assert after_code["Location"] == "/checker/"
    assert client.get("/inbox/").status_code == 200


def test_a_wrong_code_is_refused_and_signs_nobody_in(cast: Cast) -> None:
    secret = enrolled(cast.officer_a)
    client = Client()
    client.post("/login/", {"username": "officer_anna", "password": PASSWORD})
    wrong = "000000" if current_code(secret) != "000000" else "111111"

    response = client.post("/login/code/", {"code": wrong})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice_even_within_its_thirty_seconds(cast: Cast) -> None:
    secret = enrolled(cast.officer_a)
    code = current_code(secret)
    first, second = Client(), Client()
    first.post("/login/", {"username": "officer_anna", "password": PASSWORD})
    second.post("/login/", {"username": "officer_anna", "password": PASSWORD})

    accepted = first.post("/login/code/", {"code": code})
    replayed = second.post("/login/code/", {"code": code})

    assert accepted.status_code == 302
    assert replayed.status_code == 400
    assert "_auth_user_id" not in second.session


def test_the_code_step_without_a_password_first_goes_back_to_the_password(cast: Cast) -> None:
    secret = enrolled(cast.officer_a)

    response = Client().post("/login/code/", {"code": current_code(secret)})

    assert response["Location"] == "/login/"


def test_the_password_step_expires_after_five_minutes(cast: Cast) -> None:
    secret = enrolled(cast.officer_a)
    client = Client()
    client.post("/login/", {"username": "officer_anna", "password": PASSWORD})

    later = time.time() + PENDING_SECONDS + 1
    with mock.patch("beatdesk.units.views.time.time", return_value=later):
        response = client.post("/login/code/", {"code": current_code(secret)})

    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout_and_the_password_does_not_clear_them(
    cast: Cast,
) -> None:
    wait_for_fresh_window(FAILED_SIGN_INS_PER_NAME)
    secret = enrolled(cast.officer_a)
    client = Client(REMOTE_ADDR="192.0.2.30")
    for _ in range(5):
        client.post("/login/", {"username": "officer_anna", "password": PASSWORD})
        client.post(
            "/login/code/", {"code": "000000" if current_code(secret) != "000000" else "1"}
        )

    password_again = client.post("/login/", {"username": "officer_anna", "password": PASSWORD})

    assert password_again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_first_sign_in_shows_a_new_key_and_a_qr_code_and_a_first_code_confirms_it(
    cast: Cast,
) -> None:
    client = Client()
    after_password = client.post("/login/", {"username": "officer_anna", "password": PASSWORD})
    page = client.get("/login/enrol/")
    secret = SecondFactor.objects.get(user=cast.officer_a).secret
    reloaded = client.get("/login/enrol/")

    confirmed = client.post("/login/enrol/", {"code": current_code(str(secret))})

    assert after_password["Location"] == "/login/enrol/"
    assert totp.grouped(str(secret)) in page.content.decode()
    assert "<svg" in page.content.decode()
    assert totp.grouped(str(secret)) in reloaded.content.decode()
    assert confirmed.status_code == 302
    assert client.get("/inbox/").status_code == 200
    assert AuditRecord.objects.filter(action="user.second_factor_enrolled").count() == 1


def test_an_enrolled_user_cannot_be_shown_the_key_again(cast: Cast) -> None:
    enrolled(cast.officer_a)
    client = Client()
    client.post("/login/", {"username": "officer_anna", "password": PASSWORD})

    response = client.get("/login/enrol/")

    assert response["Location"] == "/login/code/"


def test_the_secret_is_stored_encrypted(cast: Cast) -> None:
    secret = enrolled(cast.officer_a)

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM units_secondfactor")
        (stored,) = cursor.fetchone()

    assert secret not in stored


def test_a_next_address_on_another_host_is_not_followed(cast: Cast) -> None:
    secret = enrolled(cast.officer_a)
    client = Client()
    client.post(
        "/login/",
        {"username": "officer_anna", "password": PASSWORD, "next": "https://evil.example/"},
    )

    response = client.post("/login/code/", {"code": current_code(secret)})

    assert not response["Location"].startswith("https://evil.example")


def test_the_admin_sign_in_sends_people_to_the_two_step_sign_in(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/units/unit/")

    assert response["Location"] == "/login/?next=%2Fadmin%2Funits%2Funit%2F"


def test_resetting_makes_the_user_enrol_again_and_is_audited(cast: Cast) -> None:
    enrolled(cast.officer_a)

    call_command("second_factor", "reset", "officer_anna")
    client = Client()
    after_password = client.post("/login/", {"username": "officer_anna", "password": PASSWORD})

    assert after_password["Location"] == "/login/enrol/"
    assert AuditRecord.objects.filter(action="user.second_factor_reset").count() == 1


def test_signing_in_through_both_steps_is_one_audit_record(cast: Cast) -> None:
    sign_in_through_the_form(Client(), cast.officer_a)

    assert AuditRecord.objects.filter(action="user.signed_in").count() == 1
