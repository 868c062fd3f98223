"""Routing on arrival: a county account's case goes to the one station whose area it names."""

import pytest
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case
from beatdesk.units.datum import wgs84_to_gcj02
from beatdesk.units.models import AreaKeyword, AreaPolygon
from tests.channels.wechat.pushes import push
from tests.conftest import Cast, make_wechat_account, signed_in
from tests.inbox.helpers import resident_writes

SQUARE_A = [[120.15, 30.27], [120.16, 30.27], [120.16, 30.28], [120.15, 30.28]]
SQUARE_B = [[120.16, 30.27], [120.17, 30.27], [120.17, 30.28], [120.16, 30.28]]
INSIDE_A = (30.275, 120.155)  # latitude, longitude, as WeChat sends them


@pytest.fixture
def county_account(cast: Cast) -> Account:
    AreaKeyword.objects.create(unit=cast.station_a, keyword="幸福小区")
    AreaKeyword.objects.create(unit=cast.station_b, keyword="幸福小区东区")
    AreaKeyword.objects.create(unit=cast.station_b, keyword="和平路")
    AreaPolygon.objects.create(unit=cast.station_a, name="A 辖区", points=SQUARE_A)
    AreaPolygon.objects.create(unit=cast.station_b, name="B 辖区", points=SQUARE_B)
    return make_wechat_account(cast.county, code="county")


def reports_position(account: Account, peer: WeChatPeer, openid: str, create_time: int) -> None:
    latitude, longitude = INSIDE_A
    xml = peer.build_event(
        openid,
        "LOCATION",
        create_time=create_time,
        extra={"Latitude": latitude, "Longitude": longitude, "Precision": 65.0},
    )
    response, _query = push(Client(), account, peer, xml)
    assert response.status_code == 200


def routed_records(case: Case) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="case.routed", object_id=str(case.pk)))


def test_a_county_case_naming_a_community_goes_to_that_station(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(county_account, peer, "oROUTE1", "幸福小区东区门口天天有人乱停车")

    assert case.unit == cast.station_b
    [routed] = routed_records(case)
    assert routed.details["via"] == "keyword"
    assert routed.details["area"] == "幸福小区东区"
    assert routed.details["from_unit"] == cast.county.pk
    assert signed_in(cast.officer_b).get(f"/inbox/cases/{case.pk}/").status_code == 200
    assert signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").status_code == 404


def test_the_case_page_says_why_the_case_went_to_the_station(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(county_account, peer, "oROUTE2", "和平路的路灯坏了好几天")

    page = signed_in(cast.officer_b).get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert "Routed by place to Unit station-b (和平路)" in page.content.decode()


def test_a_location_message_routes_by_its_coordinates(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    latitude, longitude = INSIDE_A
    xml = peer.build_location("oROUTE3", latitude, longitude, 15, "某某大厦", 5001)

    response, _query = push(Client(), county_account, peer, xml)

    assert response.status_code == 200
    case = Case.objects.get(resident__external_id="oROUTE3")
    assert case.unit == cast.station_a
    assert routed_records(case)[0].details["via"] == "polygon"


def test_a_point_picked_on_the_chat_map_is_shifted_back_before_it_is_placed(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    # The resident stands 200 m inside A; the GCJ-02 map they picked from shows the spot
    # about 450 m east, across the line into B.
    standing = (120.158, 30.275)
    shown_lon, shown_lat = wgs84_to_gcj02(*standing)
    assert shown_lon > 120.16

    xml = peer.build_location("oROUTE9", shown_lat, shown_lon, 15, "幸福路口", 5009)
    response, _query = push(Client(), county_account, peer, xml)

    assert response.status_code == 200
    case = Case.objects.get(resident__external_id="oROUTE9")
    assert case.unit == cast.station_a
    assert routed_records(case)[0].details["area"] == "A 辖区"


def test_a_position_reported_just_before_the_message_routes_it(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    import time

    reports_position(county_account, peer, "oROUTE4", int(time.time()) - 60)
    case = resident_writes(county_account, peer, "oROUTE4", "有人在楼下吵架")

    assert case.unit == cast.station_a
    assert routed_records(case)[0].details["area"] == "A 辖区"


def test_a_position_reported_after_the_first_message_moves_the_untouched_case(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    import time

    case = resident_writes(county_account, peer, "oROUTE5", "有人在楼下吵架")
    assert case.unit == cast.county

    reports_position(county_account, peer, "oROUTE5", int(time.time()))

    case.refresh_from_db()
    assert case.unit == cast.station_a


def test_a_position_from_long_ago_says_nothing_about_the_matter(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    import time

    reports_position(county_account, peer, "oROUTE6", int(time.time()) - 3 * 3600)
    case = resident_writes(county_account, peer, "oROUTE6", "有人在楼下吵架")

    assert case.unit == cast.county
    assert not routed_records(case)


def test_a_station_account_keeps_its_station_whatever_place_is_named(
    cast: Cast, county_account: Account, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oROUTE7", "和平路的路灯坏了")

    assert case.unit == cast.station_a
    assert not routed_records(case)


def test_a_place_two_stations_could_own_stays_with_the_county(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(county_account, peer, "oROUTE8", "从幸福小区走到和平路这一段很黑")

    assert case.unit == cast.county
    assert not routed_records(case)


def test_a_case_an_officer_has_taken_in_hand_is_not_moved_by_a_later_message(
    cast: Cast, county_account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(county_account, peer, "oROUTE9", "有件事想咨询一下")
    signed_in(cast.leader).post(f"/inbox/cases/{case.pk}/assign/", {"assignee": cast.leader.pk})

    resident_writes(county_account, peer, "oROUTE9", "我住在和平路")

    case.refresh_from_db()
    assert (case.unit, case.assignee) == (cast.county, cast.leader)
