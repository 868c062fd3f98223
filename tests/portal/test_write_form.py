"""A resident writes to a station from the public form and gets a tracking code at once."""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.test import Client
from django.utils import timezone

from beatdesk.channels.models import ChannelKind, DeliveryStatus, InboundDelivery
from beatdesk.channels.tasks import process_stale_deliveries
from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import Case, CaseType, Message, Priority, TypeSource
from beatdesk.portal.actions import do_store_submission, portal_account_for
from beatdesk.portal.submissions import Submission
from tests.conftest import Cast, signed_in
from tests.portal.conftest import form_fields

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def _sent_case(response: "Response") -> Case:
    assert response.status_code == 200, response.content.decode()[:2000]
    return Case.objects.get()


def test_it_shows_the_form_with_the_stations_that_have_public_contact_details(
    stations: Cast,
) -> None:
    stations.station_b.contact_phone = ""
    stations.station_b.save()

    page = Client().get("/write/").content.decode()

    assert "Unit station-a" in page
    assert "Unit station-b" not in page
    assert "110" in page
    assert len(page.encode()) < 100 * 1024


def test_it_opens_a_case_in_station_as_inbox_and_shows_the_tracking_code(stations: Cast) -> None:
    response = Client().post("/write/", form_fields())

    case = _sent_case(response)
    page = response.content.decode()
    assert case.tracking_code in page
    assert f"/track/?code={case.tracking_code}" in page
    assert case.unit == stations.station_a
    assert case.account.kind == ChannelKind.PORTAL
    assert case.account.code == "portal-station-a"


def test_it_shows_the_case_to_officer_anna_and_not_to_officer_bo(stations: Cast) -> None:
    case = _sent_case(Client().post("/write/", form_fields()))

    assert list(cases_for(stations.officer_a)) == [case]
    assert not cases_for(stations.officer_b).exists()
    anna = signed_in(stations.officer_a)
    page = anna.get(f"/inbox/cases/{case.pk}/").content.decode()
    assert "138****8000" in page and "13800138000" not in page
    whole = anna.post(f"/inbox/cases/{case.pk}/unmask/").content.decode()
    assert "13800138000" in whole
    bo = signed_in(stations.officer_b)
    assert bo.get(f"/inbox/cases/{case.pk}/").status_code == 404
    assert bo.post(f"/inbox/cases/{case.pk}/unmask/").status_code == 404


def test_it_takes_the_residents_choice_of_type_as_a_menu_choice(stations: Cast) -> None:
    case = _sent_case(Client().post("/write/", form_fields(case_type="suggestion")))

    assert case.case_type == CaseType.SUGGESTION
    assert case.type_source == TypeSource.MENU


def test_it_lets_the_resident_follow_the_case_with_the_tracking_code(stations: Cast) -> None:
    case = _sent_case(Client().post("/write/", form_fields()))

    page = Client().get("/track/", {"code": case.tracking_code})

    assert page.status_code == 200
    assert case.get_status_display() in page.content.decode()


def test_it_keeps_no_contact_details_of_an_anonymous_tip(stations: Cast) -> None:
    fields = form_fields(
        case_type="tip", anonymous="on", text="小区后门晚上经常有人偷电动车电瓶。"
    )

    _sent_case(Client().post("/write/", fields))

    message = Message.objects.get(direction="in")
    assert "contact_name" not in message.attributes
    assert "contact_phone" not in message.attributes
    raw = bytes(InboundDelivery.objects.get().raw_body).decode()
    assert "13800138000" not in raw
    assert "王芳" not in raw


def test_it_refuses_anonymity_for_anything_but_a_tip(stations: Cast) -> None:
    response = Client().post("/write/", form_fields(case_type="complaint", anonymous="on"))

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_type_residents_cannot_choose(stations: Cast) -> None:
    response = Client().post("/write/", form_fields(case_type="spam"))

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_message_longer_than_4000_characters(stations: Cast) -> None:
    response = Client().post("/write/", form_fields(text="路" * 4001))

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_station_without_public_contact_details(stations: Cast) -> None:
    response = Client().post("/write/", form_fields(station="county"))

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_it_opens_one_case_when_the_same_form_is_sent_twice(stations: Cast) -> None:
    fields = form_fields()

    first = Client().post("/write/", fields)
    second = Client().post("/write/", fields)

    case = Case.objects.get()
    assert case.tracking_code in first.content.decode()
    assert case.tracking_code in second.content.decode()


def test_it_refuses_the_same_form_sent_again_with_other_words(stations: Cast) -> None:
    fields = form_fields()
    Client().post("/write/", fields)

    response = Client().post("/write/", fields | {"text": "另外一件完全不同的事情。"})

    assert response.status_code == 409
    assert Case.objects.count() == 1


def test_the_sweep_hands_over_a_submission_whose_request_died_after_storing_it(
    stations: Cast,
) -> None:
    account = portal_account_for(stations.station_a)
    submission = Submission("web", "help", "门口的井盖不见了，很危险。", timezone.now())
    stored = do_store_submission(account, "web:request-died", submission, [])
    InboundDelivery.objects.filter(pk=stored.delivery.pk).update(
        received_at=timezone.now() - timedelta(minutes=5)
    )

    assert process_stale_deliveries() == 1

    case = Case.objects.get()
    assert case.unit == stations.station_a
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    page = Client().post("/write/", form_fields()).content.decode()
    assert Case.objects.count() == 2
    assert "110" in page


def test_it_tells_a_resident_in_danger_to_call_110_on_the_receipt(stations: Cast) -> None:
    fields = form_fields(text="救命！有人拿着刀在我家门口砍人，快来！", case_type="help")

    response = Client().post("/write/", fields)

    case = _sent_case(response)
    assert case.priority == Priority.EMERGENCY
    assert "110" in response.content.decode().split('id="reply-heading"')[1]


def test_it_refuses_a_form_sent_without_its_csrf_token(stations: Cast) -> None:
    response = Client(enforce_csrf_checks=True).post("/write/", form_fields())

    assert response.status_code == 403
    assert not InboundDelivery.objects.exists()


def test_it_accepts_the_form_with_the_csrf_token_of_the_page(stations: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/write/")

    response = client.post(
        "/write/", form_fields(csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    )

    _sent_case(response)


def test_a_nul_in_the_message_is_dropped_rather_than_refused(stations: Cast) -> None:
    response = Client().post("/write/", form_fields(text="有人\x00偷电动车，就在小区车棚"))

    case = _sent_case(response)
    assert Message.objects.get(case=case, direction="in").text == "有人偷电动车，就在小区车棚"


def test_direction_overrides_cannot_make_the_message_read_backwards(stations: Cast) -> None:
    # After U+202E the rest of the line shows right to left: 0008 would read as 8000.
    text = "车棚门口有人偷车\u202e，电话13800138000\u202c，请\u2067尽快\u2069来看"

    response = Client().post("/write/", form_fields(text=text))

    case = _sent_case(response)
    kept = Message.objects.get(case=case, direction="in").text
    assert kept == "车棚门口有人偷车，电话13800138000，请尽快来看"


def test_emoji_joiners_and_plain_direction_marks_are_kept(stations: Cast) -> None:
    text = "我家👨\u200d👩\u200d👧被困在电梯里了\u200f，在3号楼"

    response = Client().post("/write/", form_fields(text=text))

    case = _sent_case(response)
    assert Message.objects.get(case=case, direction="in").text == text


def test_a_phone_number_typed_in_full_width_digits_is_taken(stations: Cast) -> None:
    response = Client().post("/write/", form_fields(phone="１３８００１３８０００"))

    _sent_case(response)
