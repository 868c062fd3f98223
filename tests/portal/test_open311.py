"""Open311 GeoReport v2: the specification's example requests, in JSON and in XML."""

import json
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from xml.etree import ElementTree

from django.test import Client

from beatdesk.core.ratelimit import PORTAL_SUBMISSIONS, note
from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import Case, CaseStatus, Message
from beatdesk.portal.models import Jurisdiction, ServiceRequest
from beatdesk.units.models import AreaKeyword, AreaPolygon
from tests.conftest import Cast, signed_in
from tests.core.ratelimit_helpers import wait_for_fresh_window

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

FORM = "application/x-www-form-urlencoded; charset=utf-8"
# The specification's example POST, with one of our service codes and a Chinese description.
SPEC_EXAMPLE = (
    "api_key=xyz&jurisdiction_id=city.example.cn&service_code=help&lat=37.76524078"
    "&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu"
    "&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111"
    "&description=%E8%B7%AF%E4%B8%8A%E6%9C%89%E4%B8%AA%E5%A4%A7%E5%9D%91%EF%BC%8C"
    "%E8%BD%A6%E5%AD%90%E7%BB%8F%E8%BF%87%E5%BE%88%E5%8D%B1%E9%99%A9%E3%80%82"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
)


def _post(
    body: str, fmt: str = "json", content_type: str = FORM, address: str = "127.0.0.1"
) -> "Response":
    return Client(REMOTE_ADDR=address).post(
        f"/open311/v2/requests.{fmt}", body, content_type=content_type
    )


def _xml(response: "Response") -> ElementTree.Element:
    content: bytes = response.content
    assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(content)


def test_it_lists_one_service_per_message_type_in_json(jurisdiction: Jurisdiction) -> None:
    response = Client().get("/open311/v2/services.json", {"jurisdiction_id": "city.example.cn"})

    services = response.json()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert [s["service_code"] for s in services] == [
        "consultation",
        "help",
        "tip",
        "suggestion",
        "complaint",
    ]
    assert services[0]["metadata"] is False and services[0]["type"] == "realtime"


def test_it_lists_the_services_in_xml(jurisdiction: Jurisdiction) -> None:
    response = Client().get("/open311/v2/services.xml")

    root = _xml(response)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")][2] == "tip"
    assert root.find("service/metadata").text == "false"  # type: ignore[union-attr]


def test_it_defines_a_service_with_no_extra_attributes(jurisdiction: Jurisdiction) -> None:
    as_json = Client().get("/open311/v2/services/tip.json").json()
    as_xml = _xml(Client().get("/open311/v2/services/tip.xml"))

    assert as_json == {"service_code": "tip", "attributes": []}
    assert as_xml.tag == "service_definition" and as_xml.findtext("service_code") == "tip"


def test_it_answers_404_in_the_specs_error_format_for_an_unknown_service(
    jurisdiction: Jurisdiction,
) -> None:
    response = Client().get("/open311/v2/services/pothole.xml")

    assert response.status_code == 404
    assert _xml(response).findtext("error/code") == "404"


def test_it_takes_the_specs_example_request_and_opens_a_case_at_the_station(
    jurisdiction: Jurisdiction, stations: Cast
) -> None:
    response = _post(SPEC_EXAMPLE)

    assert response.status_code == 200
    [created] = response.json()
    case = Case.objects.get()
    assert created["service_request_id"] == ServiceRequest.objects.get().public_id
    assert created["account_id"] is None
    assert case.tracking_code in created["service_notice"]
    assert list(cases_for(stations.officer_a)) == [case]
    assert not cases_for(stations.officer_b).exists()
    attributes = Message.objects.get(direction="in").attributes
    assert attributes["contact_name"] == "john smith"
    assert attributes["latitude"] == "37.765241"
    assert "device_id" not in json.dumps(attributes)


def test_it_answers_the_specs_example_request_in_xml(jurisdiction: Jurisdiction) -> None:
    response = _post(SPEC_EXAMPLE, fmt="xml")

    root = _xml(response)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == ServiceRequest.objects.get().public_id
    assert root.find("request/account_id") is not None


def test_it_refuses_an_xml_body(jurisdiction: Jurisdiction) -> None:
    body = "<service_request><service_code>help</service_code></service_request>"

    response = _post(body, fmt="xml", content_type="text/xml")

    assert response.status_code == 400
    assert _xml(response).findtext("error/code") == "400"
    assert not ServiceRequest.objects.exists()


def test_it_refuses_requests_without_what_the_spec_requires(jurisdiction: Jurisdiction) -> None:
    no_code = _post("jurisdiction_id=city.example.cn&lat=30&long=120&description=x")
    unknown_code = _post("service_code=pothole&lat=30&long=120&description=x")
    no_place = _post("service_code=help&description=%E6%95%91%E5%91%BD")
    half_place = _post("service_code=help&lat=30&description=x")
    unknown_place = _post("jurisdiction_id=nowhere.example&service_code=help&lat=30&long=120")

    assert no_code.status_code == 400
    assert unknown_code.status_code == 404
    assert no_place.status_code == 400
    assert half_place.status_code == 400
    assert unknown_place.status_code == 404
    assert "service_code" in no_code.json()[0]["description"]
    assert not ServiceRequest.objects.exists()


def test_it_asks_for_the_jurisdiction_once_it_serves_more_than_one(
    jurisdiction: Jurisdiction, stations: Cast
) -> None:
    Jurisdiction.objects.create(code="county.example.cn", unit=stations.station_b)

    response = Client().get("/open311/v2/services.json")

    assert response.status_code == 400
    assert response.json() == [{"code": "400", "description": "jurisdiction_id was not provided"}]


def test_it_answers_429_once_an_address_has_posted_its_share(jurisdiction: Jurisdiction) -> None:
    wait_for_fresh_window(PORTAL_SUBMISSIONS, needed_seconds=20)
    for _ in range(PORTAL_SUBMISSIONS.count):
        note(PORTAL_SUBMISSIONS, "127.0.0.1")

    response = _post(SPEC_EXAMPLE, address="127.0.0.1")

    assert response.status_code == 429
    assert not ServiceRequest.objects.exists()


def test_it_lists_requests_with_public_fields_only(jurisdiction: Jurisdiction) -> None:
    _post(SPEC_EXAMPLE)

    listed = Client().get("/open311/v2/requests.json").json()
    as_xml = Client().get("/open311/v2/requests.xml").content.decode()

    [row] = listed
    assert row["status"] == "open" and row["service_code"] == "help"
    assert row["agency_responsible"] == "Unit station-a"
    assert row["description"] is None and row["lat"] is None and row["address"] is None
    for private in ("111111111", "smit333", "john", "5th street", "37.76", "大坑", "flickr"):
        assert private not in json.dumps(listed, ensure_ascii=False)
        assert private not in as_xml
    assert Case.objects.get().tracking_code not in as_xml


def test_it_shows_one_request_and_follows_its_case_to_closed(jurisdiction: Jurisdiction) -> None:
    public_id = _post(SPEC_EXAMPLE).json()[0]["service_request_id"]
    Case.objects.update(status=CaseStatus.RESOLVED)

    shown = _xml(Client().get(f"/open311/v2/requests/{public_id}.xml"))
    closed = Client().get("/open311/v2/requests.json", {"status": "closed"}).json()
    still_open = Client().get("/open311/v2/requests.json", {"status": "open"}).json()

    assert shown.findtext("request/status") == "closed"
    assert [row["service_request_id"] for row in closed] == [public_id]
    assert still_open == []
    assert Client().get("/open311/v2/requests/zzzz9999.json").status_code == 404


def test_it_refuses_a_date_range_longer_than_90_days(jurisdiction: Jurisdiction) -> None:
    response = Client().get(
        "/open311/v2/requests.json",
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
    )

    assert response.status_code == 400


def test_it_shows_the_officer_the_place_contact_and_media_link_as_plain_text(
    jurisdiction: Jurisdiction, stations: Cast
) -> None:
    _post(SPEC_EXAMPLE)
    case = Case.objects.get()

    anna = signed_in(stations.officer_a)
    masked = anna.get(f"/inbox/cases/{case.pk}/").content.decode()
    page = anna.post(f"/inbox/cases/{case.pk}/unmask/").content.decode()

    assert "john smith" not in masked and "111111111" not in masked
    assert "1234 5th street" in page and "37.765241" in page
    assert "john smith" in page and "111111111" in page
    assert "2212426634_5ed477a060.jpg" in page
    assert 'href="http://farm3' not in page


def _county_jurisdiction(stations: Cast) -> Jurisdiction:
    AreaKeyword.objects.create(unit=stations.station_b, keyword="和平路")
    # Station A's outline: a small square around one point in Hangzhou (WGS-84).
    AreaPolygon.objects.create(
        unit=stations.station_a,
        name="甲所辖区",
        points=[[120.10, 30.25], [120.12, 30.25], [120.12, 30.27], [120.10, 30.27]],
    )
    return Jurisdiction.objects.create(code="county.example.cn", unit=stations.county)


def _request(**fields: str) -> str:
    base = {"jurisdiction_id": "county.example.cn", "service_code": "help"}
    base["description"] = "路上有个大坑，车子经过很危险。"
    return urlencode(base | fields)


def test_a_request_goes_to_the_station_whose_area_holds_its_point_or_names_its_address(
    stations: Cast,
) -> None:
    _county_jurisdiction(stations)

    by_point = _post(_request(lat="30.26", long="120.11"))
    by_address = _post(_request(address_string="和平路18号门口"), address="127.0.0.2")
    nowhere = _post(_request(address_string="月球背面"), address="127.0.0.3")

    assert {by_point.status_code, by_address.status_code, nowhere.status_code} == {200}
    units = [case.unit for case in Case.objects.order_by("id")]
    assert units == [stations.station_a, stations.station_b, stations.county]
