"""Staff are signed out after 30 idle minutes and after 12 hours; polling is not activity."""

import time

from django.test import Client

from beatdesk.core.middleware import LAST_SEEN, SIGNED_IN_AT
from tests.conftest import Cast
from tests.units.signing_in import sign_in_through_the_form


def signed_in_at(cast: Cast, *, signed_in: float, last_seen: float) -> Client:
    client = Client()
    client.force_login(cast.officer_a)
    session = client.session
    session[SIGNED_IN_AT], session[LAST_SEEN] = int(signed_in), int(last_seen)
    session.save()
    return client


def test_an_officer_idle_for_31_minutes_is_sent_to_sign_in(cast: Cast) -> None:
    now = time.time()
    client = signed_in_at(cast, signed_in=now - 3600, last_seen=now - 31 * 60)

    response = client.get("/inbox/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_an_officer_active_10_minutes_ago_stays_signed_in(cast: Cast) -> None:
    now = time.time()
    client = signed_in_at(cast, signed_in=now - 3600, last_seen=now - 10 * 60)

    assert client.get("/inbox/").status_code == 200
    assert int(client.session[LAST_SEEN]) >= int(now)


def test_twelve_hours_after_sign_in_even_a_busy_officer_signs_in_again(cast: Cast) -> None:
    now = time.time()
    client = signed_in_at(cast, signed_in=now - 12 * 3600 - 60, last_seen=now - 5)

    assert client.get("/inbox/").status_code == 302


def test_the_inbox_poll_does_not_keep_an_idle_session_alive(cast: Cast) -> None:
    now = time.time()
    client = signed_in_at(cast, signed_in=now - 3600, last_seen=now - 29 * 60)

    poll = client.get("/inbox/", headers={"HX-Request": "true", "X-Beatdesk-Poll": "1"})

    assert poll.status_code == 200
    assert int(client.session[LAST_SEEN]) == int(now - 29 * 60)


def test_an_expired_poll_asks_the_page_to_reload_instead_of_swapping_in_a_form(
    cast: Cast,
) -> None:
    now = time.time()
    client = signed_in_at(cast, signed_in=now - 3600, last_seen=now - 31 * 60)

    poll = client.get("/inbox/", headers={"HX-Request": "true", "X-Beatdesk-Poll": "1"})

    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")


def test_signing_in_gives_a_new_session_key(cast: Cast) -> None:
    client = Client()
    client.get("/login/")
    client.session.save()
    before = client.session.session_key

    sign_in_through_the_form(client, cast.officer_a)

    assert client.session.session_key != before
