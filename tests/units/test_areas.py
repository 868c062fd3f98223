"""Unit areas: a place maps to the most specific unit, or to none when it is ambiguous."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from beatdesk.audit.models import AuditRecord
from beatdesk.units.areas import contains, unit_for_place
from beatdesk.units.models import AreaKeyword, AreaPolygon, UnitKind
from tests.conftest import Cast, make_unit

# Two neighbouring squares of about a kilometre in Hangzhou, sharing the edge lon=120.16.
SQUARE_A = [[120.15, 30.27], [120.16, 30.27], [120.16, 30.28], [120.15, 30.28]]
SQUARE_B = [[120.16, 30.27], [120.17, 30.27], [120.17, 30.28], [120.16, 30.28]]
COUNTY_BOX = [[120.10, 30.20], [120.20, 30.20], [120.20, 30.30], [120.10, 30.30]]


@pytest.fixture
def areas(cast: Cast) -> Cast:
    AreaKeyword.objects.create(unit=cast.station_a, keyword="幸福小区")
    AreaKeyword.objects.create(unit=cast.station_b, keyword="幸福小区东区")
    AreaKeyword.objects.create(unit=cast.station_b, keyword="和平路")
    AreaKeyword.objects.create(unit=cast.county, keyword="城东")
    AreaPolygon.objects.create(unit=cast.station_a, name="A 辖区", points=SQUARE_A)
    AreaPolygon.objects.create(unit=cast.station_b, name="B 辖区", points=SQUARE_B)
    AreaPolygon.objects.create(unit=cast.county, name="县界", points=COUNTY_BOX)
    return cast


def test_it_finds_the_station_whose_community_a_resident_names(areas: Cast) -> None:
    match = unit_for_place(text="幸福小区3栋楼下有人吵架")

    assert match is not None
    assert (match.unit, match.via, match.name) == (areas.station_a, "keyword", "幸福小区")


def test_the_longest_name_wins_between_stations_at_the_same_depth(areas: Cast) -> None:
    match = unit_for_place(text="我住幸福小区东区，门口路灯坏了")

    assert match is not None
    assert (match.unit, match.name) == (areas.station_b, "幸福小区东区")


def test_a_station_beats_the_county_above_it(areas: Cast) -> None:
    match = unit_for_place(text="城东和平路上有个井盖没了")

    assert match is not None and match.unit == areas.station_b


def test_it_ignores_spaces_a_resident_typed_inside_a_name(areas: Cast) -> None:
    match = unit_for_place(text="和 平 路")

    assert match is not None and match.unit == areas.station_b


def test_names_of_two_stations_at_once_are_ambiguous(areas: Cast) -> None:
    AreaKeyword.objects.create(unit=areas.station_a, keyword="人民路")

    assert unit_for_place(text="从人民路走到和平路") is None


def test_it_places_a_point_inside_a_stations_outline(areas: Cast) -> None:
    match = unit_for_place(point=(120.155, 30.275))

    assert match is not None
    assert (match.unit, match.via, match.name) == (areas.station_a, "polygon", "A 辖区")


def test_a_point_in_the_county_but_outside_every_station_goes_to_the_county(
    areas: Cast,
) -> None:
    match = unit_for_place(point=(120.11, 30.21))

    assert match is not None and match.unit == areas.county


def test_a_point_on_the_line_between_two_stations_is_ambiguous(areas: Cast) -> None:
    assert unit_for_place(point=(120.16, 30.275)) is None


def test_a_point_in_one_station_and_a_name_in_another_are_ambiguous(areas: Cast) -> None:
    assert unit_for_place(text="和平路", point=(120.155, 30.275)) is None


def test_a_point_and_a_name_that_agree_give_that_station(areas: Cast) -> None:
    match = unit_for_place(text="幸福小区", point=(120.155, 30.275))

    assert match is not None and match.unit == areas.station_a


def test_it_searches_only_below_the_unit_it_is_told(areas: Cast) -> None:
    other_county = make_unit("county-2", UnitKind.COUNTY, areas.city)
    elsewhere = make_unit("station-c", UnitKind.STATION, other_county)
    AreaKeyword.objects.create(unit=elsewhere, keyword="幸福小区东区")

    match = unit_for_place(text="幸福小区东区", within=areas.county)

    assert match is not None and match.unit == areas.station_b
    assert unit_for_place(text="幸福小区东区") is None


def test_nothing_matches_a_place_no_unit_claims(areas: Cast) -> None:
    assert unit_for_place(text="请问身份证怎么补办") is None
    assert unit_for_place(point=(116.39, 39.9)) is None
    assert unit_for_place() is None


def test_an_outline_with_a_notch_leaves_the_notch_outside() -> None:
    # A U shape: the notch between the arms belongs to someone else.
    u_shape = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]]

    assert contains(u_shape, (0.5, 2.0))
    assert contains(u_shape, (2.5, 2.0))
    assert not contains(u_shape, (1.5, 2.0))
    assert contains(u_shape, (1.5, 1.0))


AREA_HEADER = "unit,keyword,name,polygon"


def write_csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "areas.csv"
    path.write_text("\n".join([AREA_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


SQUARE_A_TEXT = '"120.15,30.27;120.16,30.27;120.16,30.28;120.15,30.28;120.15,30.27"'


def test_it_imports_names_and_outlines_from_a_csv_file(cast: Cast, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        ["station-a,幸福小区,,", "station-a,,A 辖区," + SQUARE_A_TEXT, "station-b,和平路,,"],
    )

    call_command("import_areas", str(path))

    assert list(cast.station_a.area_keywords.values_list("keyword", flat=True)) == ["幸福小区"]
    outline = AreaPolygon.objects.get(unit=cast.station_a)
    assert outline.points == SQUARE_A  # the repeated closing point is dropped
    match = unit_for_place(text="和平路")
    assert match is not None and match.unit == cast.station_b
    audited = AuditRecord.objects.filter(action="unit.areas_imported")
    assert {record.unit_id for record in audited} == {cast.station_a.pk, cast.station_b.pk}


def test_a_new_file_replaces_the_area_of_each_unit_it_names(cast: Cast, tmp_path: Path) -> None:
    AreaKeyword.objects.create(unit=cast.station_a, keyword="旧街")
    AreaKeyword.objects.create(unit=cast.station_b, keyword="和平路")

    call_command("import_areas", str(write_csv(tmp_path, ["station-a,新街,,"])))

    assert list(cast.station_a.area_keywords.values_list("keyword", flat=True)) == ["新街"]
    assert cast.station_b.area_keywords.filter(keyword="和平路").exists()


def test_it_refuses_bad_rows_by_line_number_and_changes_nothing(
    cast: Cast, tmp_path: Path
) -> None:
    AreaKeyword.objects.create(unit=cast.station_a, keyword="幸福小区")
    path = write_csv(
        tmp_path,
        [
            "station-a,新街,,",
            "nowhere,和平路,,",
            'station-b,,B,"120.1,30.2;120.2,30.2"',
            'station-b,,C,"120.1,30.2;200,30.2;120.2,30.3"',
            "station-b,,,",
            'station-b,和平路,D,"1,1;2,2;3,1"',
        ],
    )

    with pytest.raises(CommandError) as refused:
        call_command("import_areas", str(path))

    problems = str(refused.value)
    assert "line 3: unit 'nowhere' is not defined" in problems
    assert "line 4: an outline needs between 3" in problems
    assert "line 5: '200,30.2' is outside the range" in problems
    assert "line 6: give either a keyword or a polygon" in problems
    assert "line 7: give either a keyword or a polygon" in problems
    assert "line 2" not in problems
    assert list(AreaKeyword.objects.values_list("keyword", flat=True)) == ["幸福小区"]
    assert not AuditRecord.objects.filter(action="unit.areas_imported").exists()


def test_it_imports_an_excel_workbook(cast: Cast, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "keyword", "name", "polygon"])
    sheet.append(["station-b", "和平路", None, None])
    sheet.append(["station-b", None, "B 辖区", "120.16,30.27;120.17,30.27;120.17,30.28"])
    path = tmp_path / "areas.xlsx"
    book.save(path)

    call_command("import_areas", str(path))

    assert cast.station_b.area_keywords.get().keyword == "和平路"
    assert cast.station_b.area_polygons.get().name == "B 辖区"


def test_it_refuses_a_file_that_is_neither_csv_nor_excel(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "areas.txt"
    path.write_text("unit,keyword\nstation-a,幸福小区\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"use a \.csv or \.xlsx file"):
        call_command("import_areas", str(path))
    assert not AreaKeyword.objects.exists()
