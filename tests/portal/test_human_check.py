"""Floods are held back by the form token, the fill time, the honeypot and a rate limit."""

import time
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from beatdesk.channels.models import InboundDelivery
from beatdesk.core.ratelimit import PORTAL_SUBMISSIONS, note
from beatdesk.inbox.models import Case
from beatdesk.portal.humancheck import issue_token
from tests.conftest import Cast
from tests.core.ratelimit_helpers import wait_for_fresh_window
from tests.portal.conftest import form_fields, image_bytes, opened_form_token

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def _refused(response: "Response", status: int = 400) -> None:
    assert response.status_code == status
    assert not InboundDelivery.objects.exists()
    assert not Case.objects.exists()


def test_it_refuses_a_form_without_the_token(stations: Cast) -> None:
    _refused(Client().post("/write/", form_fields(token="")))


def test_it_refuses_a_forged_token(stations: Cast) -> None:
    forged = opened_form_token()[:-4] + "AAAA"

    _refused(Client().post("/write/", form_fields(token=forged)))


def test_it_refuses_a_form_sent_within_three_seconds_of_opening_it(stations: Cast) -> None:
    _refused(Client().post("/write/", form_fields(token=issue_token())))


def test_it_refuses_a_form_whose_honeypot_is_filled(stations: Cast) -> None:
    _refused(Client().post("/write/", form_fields(website="http://spam.example")))


def test_it_keeps_the_residents_words_when_the_form_was_open_too_long(stations: Cast) -> None:
    old = opened_form_token(seconds_ago=3 * 3600)

    response = Client().post("/write/", form_fields(token=old, text="我的电动车被偷了。"))

    _refused(response)
    assert "我的电动车被偷了。" in response.content.decode()


def test_it_serves_a_fresh_token_and_a_hidden_honeypot_with_the_form(stations: Cast) -> None:
    page = Client().get("/write/").content.decode()

    assert 'name="token"' in page
    assert "<div hidden>" in page and 'name="website"' in page
    assert "<script" not in page.split("</head>")[1]


def test_it_answers_429_once_an_address_has_sent_its_share(stations: Cast) -> None:
    wait_for_fresh_window(PORTAL_SUBMISSIONS, needed_seconds=20)
    started = time.monotonic()
    for _ in range(PORTAL_SUBMISSIONS.count):
        note(PORTAL_SUBMISSIONS, "127.0.0.1")

    response = Client(REMOTE_ADDR="127.0.0.1").post("/write/", form_fields())

    assert time.monotonic() - started < 20
    _refused(response, 429)
    other = Client(REMOTE_ADDR="127.0.0.2").post("/write/", form_fields())
    assert other.status_code == 200


def test_resending_a_stored_form_is_answered_and_not_counted_against_the_address(
    stations: Cast,
) -> None:
    wait_for_fresh_window(PORTAL_SUBMISSIONS, needed_seconds=20)
    fields = form_fields()
    browser = Client(REMOTE_ADDR="127.0.0.3")
    assert browser.post("/write/", fields).status_code == 200
    for _ in range(PORTAL_SUBMISSIONS.count - 1):
        note(PORTAL_SUBMISSIONS, "127.0.0.3")

    resent = [browser.post("/write/", fields) for _ in range(3)]
    another = browser.post("/write/", form_fields(text="我家门口的井盖丢了，很危险。"))

    case = Case.objects.get()
    assert [response.status_code for response in resent] == [200, 200, 200]
    assert all(case.tracking_code in response.content.decode() for response in resent)
    # The address has used its share on the first form: a new one is refused unstored.
    assert another.status_code == 429
    assert InboundDelivery.objects.count() == 1


def test_resending_a_stored_form_with_a_photo_is_charged_like_a_new_form(stations: Cast) -> None:
    wait_for_fresh_window(PORTAL_SUBMISSIONS, needed_seconds=20)
    fields = form_fields()
    browser = Client(REMOTE_ADDR="127.0.0.4")

    def photo() -> SimpleUploadedFile:
        return SimpleUploadedFile("door.png", image_bytes("PNG"), "image/png")

    assert browser.post("/write/", fields | {"photos": photo()}).status_code == 200
    for _ in range(PORTAL_SUBMISSIONS.count - 1):
        note(PORTAL_SUBMISSIONS, "127.0.0.4")

    # Comparing a resend's photos means re-encoding them: that work stays rate limited.
    resent = browser.post("/write/", fields | {"photos": photo()})

    assert resent.status_code == 429
    assert InboundDelivery.objects.count() == 1
