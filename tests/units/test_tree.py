"""Moving a unit carries its whole subtree: paths, depths and who covers what follow at once."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.access import cases_for
from beatdesk.units.access import subtree_filter
from beatdesk.units.models import Unit
from tests.conftest import Cast, make_unit, make_wechat_account
from tests.inbox.helpers import resident_writes
from tests.units.test_matrix import GOOD, row, write_csv


def test_moving_a_county_moves_its_stations_paths_and_depths(cast: Cast) -> None:
    other_city = make_unit("city-2", "city", cast.province)

    cast.county.parent = other_city
    cast.county.save()

    for unit in (cast.county, cast.station_a, cast.station_b):
        unit.refresh_from_db()
        assert unit.path.startswith(other_city.path)
        assert unit.depth == unit.path.count("/") - 2
    assert cast.station_a.path == f"{other_city.path}{cast.county.pk}/{cast.station_a.pk}/"
    assert set(Unit.objects.filter(subtree_filter([other_city]))) == {
        other_city,
        cast.county,
        cast.station_a,
        cast.station_b,
    }


def test_after_a_move_the_old_citys_inspector_no_longer_sees_the_stations_cases(
    cast: Cast, peer: WeChatPeer
) -> None:
    account = make_wechat_account(cast.station_a, code="tree-a")
    case = resident_writes(account, peer, "oTREE_A", "派出所几点下班")
    assert cases_for(cast.inspector).filter(pk=case.pk).exists()

    cast.county.parent = make_unit("city-2", "city", cast.province)
    cast.county.save()

    assert not cases_for(cast.inspector).filter(pk=case.pk).exists()
    assert cases_for(cast.leader).filter(pk=case.pk).exists()


def test_a_unit_cannot_be_placed_under_its_own_station(cast: Cast) -> None:
    cast.county.parent = cast.station_a

    with pytest.raises(ValueError, match="under itself"):
        cast.county.save()

    cast.county.refresh_from_db()
    assert cast.county.parent == cast.city


def test_reimporting_a_station_under_another_parent_moves_it_and_records_the_move(
    db: None, tmp_path: Path
) -> None:
    call_command("import_matrix", str(write_csv(tmp_path, GOOD)))
    moved = [row(record="unit", code="p2", name="另一厅", kind="province")] + [
        line.replace(",p,", ",p2,") for line in GOOD
    ]

    call_command("import_matrix", str(write_csv(tmp_path, moved)))

    station = Unit.objects.get(code="s1")
    assert station.path == f"{Unit.objects.get(code='p2').path}{station.pk}/"
    assert AuditRecord.objects.filter(action="unit.moved", object_id=str(station.pk)).exists()


def test_an_import_that_would_make_a_loop_changes_nothing_and_names_the_line(
    db: None, tmp_path: Path
) -> None:
    call_command("import_matrix", str(write_csv(tmp_path, GOOD)))
    loop = [row(record="unit", code="p", name="省厅", kind="province", parent="s1"), *GOOD[1:]]

    with pytest.raises(CommandError, match=r"line 2.*under itself"):
        call_command("import_matrix", str(write_csv(tmp_path, loop)))

    assert Unit.objects.get(code="p").parent is None
