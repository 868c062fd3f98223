"""Every staff page asks for the emergency banner again and again; it changes only with news."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from beatdesk.channels.models import Account, InboundDelivery
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

DANGER = "救命！有人拿着刀在我家楼下砍人，现在还在追，快来！"
FIRE = "着火了！三楼厨房着火了，烟很大，快来人！"
POLL = {"HX-Request": "true", "X-Beatdesk-Poll": "1"}


@pytest.fixture
def emergency(account: Account, peer: WeChatPeer) -> Case:
    return resident_writes(account, peer, "oDANGER", DANGER)


def poll(client: Client, shown: str = "") -> tuple[int, str]:
    response = client.get(f"/inbox/alerts/?shown={shown}", headers=POLL)
    return response.status_code, response.content.decode()


def test_the_poll_brings_the_banner_as_an_alert_to_the_officers_of_the_unit(
    cast: Cast, emergency: Case
) -> None:
    status, fragment = poll(signed_in(cast.officer_a))

    assert status == 200
    assert 'class="emergency-banner" role="alert"' in fragment
    assert emergency.tracking_code in fragment
    assert f'data-emergency-ids="{emergency.pk}"' in fragment
    assert f'hx-get="/inbox/alerts/?shown={emergency.pk}"' in fragment


def test_the_poll_sends_nothing_while_the_banner_shown_is_still_right(
    cast: Cast, emergency: Case
) -> None:
    assert poll(signed_in(cast.officer_a), shown=str(emergency.pk)) == (204, "")
    assert poll(signed_in(cast.officer_b)) == (204, "")


def test_a_second_emergency_replaces_the_banner_with_both(
    cast: Cast, emergency: Case, account: Account, peer: WeChatPeer
) -> None:
    fire = resident_writes(account, peer, "oFIRE", FIRE)

    status, fragment = poll(signed_in(cast.leader), shown=str(emergency.pk))

    assert status == 200
    assert f'data-emergency-ids="{fire.pk},{emergency.pk}"' in fragment


def test_the_banner_leaves_the_poll_once_an_officer_has_seen_the_emergency(
    cast: Cast, emergency: Case
) -> None:
    signed_in(cast.officer_a).post(f"/inbox/cases/{emergency.pk}/seen/")

    status, fragment = poll(signed_in(cast.leader), shown=str(emergency.pk))

    assert status == 200
    assert 'data-emergency-ids=""' in fragment
    assert "emergency-banner" not in fragment


def test_people_who_do_not_see_cases_are_told_to_stop_asking(cast: Cast, emergency: Case) -> None:
    assert poll(signed_in(cast.outsider)) == (286, "")
    assert poll(Client()) == (286, "")


def test_every_page_of_a_case_reader_carries_the_polled_banner_and_the_sound_control(
    cast: Cast, emergency: Case
) -> None:
    page = signed_in(cast.officer_a).get("/checker/").content.decode()

    assert 'id="emergency-alerts"' in page
    assert 'hx-trigger="every 10s"' in page
    assert 'id="alert-sound"' in page
    assert "beatdesk/alerts.js" in page


def test_a_signed_in_person_without_case_roles_gets_no_banner_poll(cast: Cast) -> None:
    page = signed_in(cast.outsider).get("/checker/").content.decode()

    assert 'id="emergency-alerts"' not in page
    assert 'id="alert-sound"' not in page


def test_an_emergency_push_no_worker_has_taken_is_counted_on_the_banner_of_its_units_only(
    cast: Cast, account: Account
) -> None:
    InboundDelivery.objects.create(
        account=account,
        delivery_key="msg:stalled",
        raw_body=b"<xml/>",
        payload="<xml/>",
        emergency_answer="请立即拨打110。",
    )
    # A worker takes an emergency within a second or two: a fresh one is no news yet.
    assert poll(signed_in(cast.officer_a)) == (204, "")

    InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=1))
    response = signed_in(cast.officer_a).get(
        "/inbox/alerts/?shown=", headers=POLL | {"Accept-Language": "en"}
    )

    fragment = response.content.decode()
    assert response.status_code == 200
    assert 'class="emergency-banner" role="alert"' in fragment
    assert "1 emergency message has no case yet" in fragment
    # The page sounds its tone once for a stalled push, as for each emergency case.
    assert 'data-emergency-ids="stalled"' in fragment
    assert 'hx-get="/inbox/alerts/?shown=stalled;1"' in fragment
    assert poll(signed_in(cast.officer_a), shown="stalled;1") == (204, "")
    assert poll(signed_in(cast.officer_b)) == (204, "")
