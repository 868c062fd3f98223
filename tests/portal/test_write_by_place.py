"""Without a station chosen, the place the resident names picks the station covering it."""

from django.test import Client

from beatdesk.inbox.models import Case
from beatdesk.units.models import AreaKeyword
from tests.conftest import Cast
from tests.portal.conftest import form_fields


def name_places(cast: Cast) -> None:
    AreaKeyword.objects.create(unit=cast.station_a, keyword="幸福小区")
    AreaKeyword.objects.create(unit=cast.station_b, keyword="和平路")


def test_the_place_field_picks_the_station_whose_area_names_it(stations: Cast) -> None:
    name_places(stations)

    response = Client().post("/write/", form_fields(station="", place="和平路菜场门口"))

    assert response.status_code == 200, response.content.decode()[:1000]
    assert Case.objects.get().unit == stations.station_b


def test_without_a_place_the_message_itself_can_name_the_area(stations: Cast) -> None:
    name_places(stations)
    text = "幸福小区3号楼门口的路灯坏了一个星期，请帮忙联系修一下。"

    response = Client().post("/write/", form_fields(station="", text=text))

    assert response.status_code == 200
    assert Case.objects.get().unit == stations.station_a


def test_a_chosen_station_wins_over_the_place(stations: Cast) -> None:
    name_places(stations)

    Client().post("/write/", form_fields(station="station-a", place="和平路"))

    assert Case.objects.get().unit == stations.station_a


def test_an_unknown_or_ambiguous_place_asks_the_resident_to_choose_and_keeps_the_text(
    stations: Cast,
) -> None:
    name_places(stations)

    english = Client(headers={"Accept-Language": "en"})
    unknown = english.post("/write/", form_fields(station="", place="月球背面"))
    both = english.post("/write/", form_fields(station="", place="幸福小区和和平路之间"))

    for response in (unknown, both):
        assert response.status_code == 400
        assert "Please choose a station" in response.content.decode()
        assert "路灯坏了一个星期" in response.content.decode()
    assert not Case.objects.exists()
