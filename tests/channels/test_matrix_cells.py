"""The matrix file's cells and header are checked before anything is stored.

A cell longer than the field it fills is a problem with its line, whatever the database
(SQLite would keep it whole, PostgreSQL would stop the import on it); a header naming a
column twice is refused rather than letting the last one win; renames are audited one by
one, by ids only.
"""

from pathlib import Path

import pytest
from openpyxl import Workbook

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.matrix_columns import MATRIX_COLUMNS
from beatdesk.core.models import JobStatus
from beatdesk.units.models import Role, Unit, User
from tests.channels.matrix_upload import HEADER, post_matrix, row, upload_matrix
from tests.conftest import Cast, make_user, signed_in

COMMUNITY = {"record": "unit", "code": "a-east", "name": "东社区", "kind": "community"}


@pytest.fixture
def operator(cast: Cast) -> User:
    return make_user("operator_olga", cast.station_a, Role.OPERATOR)


def test_a_500_character_unit_code_is_a_clear_problem_and_nothing_is_stored(
    operator: User,
) -> None:
    long_code = row(**(COMMUNITY | {"code": "c" * 500, "parent": "station-a"}))
    fine = row(**(COMMUNITY | {"parent": "station-a"}))

    job = upload_matrix(signed_in(operator), [fine, long_code])

    assert job.status == JobStatus.FAILED
    assert job.result["problems"] == ["line 3: code is 500 characters long; at most 64 fit"]
    assert not Unit.objects.filter(code__startswith="c" * 64).exists()
    assert not Unit.objects.filter(code="a-east").exists()


BOUNDED = [
    (column.name, record, column.max_length)
    for column in MATRIX_COLUMNS
    for record in column.records
    if column.max_length is not None
]


@pytest.mark.parametrize(("column", "record", "limit"), BOUNDED)
def test_every_bounded_column_refuses_a_cell_one_character_too_long(
    operator: User, column: str, record: str, limit: int
) -> None:
    cells = {"record": record, column: "x" * (limit + 1)}

    job = upload_matrix(signed_in(operator), [row(**cells)])

    assert job.status == JobStatus.FAILED
    expected = f"line 2: {column} is {limit + 1} characters long; at most {limit} fit"
    assert expected in job.result["problems"]


def test_a_cell_exactly_as_long_as_its_field_is_imported(operator: User) -> None:
    longest = row(**(COMMUNITY | {"parent": "station-a", "name": "名" * 200}))

    job = upload_matrix(signed_in(operator), [longest])

    assert job.status == JobStatus.DONE, job.result
    assert Unit.objects.get(code="a-east").name == "名" * 200


def test_a_column_no_row_of_its_kind_uses_is_not_held_to_a_length(operator: User) -> None:
    # `username` belongs to people; a unit row's stray cell there is not the unit's.
    stray = row(**(COMMUNITY | {"parent": "station-a", "username": "u" * 300}))

    assert upload_matrix(signed_in(operator), [stray]).status == JobStatus.DONE


def test_a_csv_header_naming_a_column_twice_is_refused(operator: User) -> None:
    header = HEADER + ",name, code"
    line = row(**(COMMUNITY | {"parent": "station-a"})) + ",西社区,a-west"

    job = post_matrix(signed_in(operator), f"{header}\n{line}\n".encode())

    assert job.status == JobStatus.FAILED
    assert job.result["problems"] == [
        "line 1: the column name is named more than once; keep one",
        "line 1: the column code is named more than once; keep one",
    ]
    assert not Unit.objects.filter(code__in=["a-east", "a-west"]).exists()


def test_a_workbook_header_naming_a_column_twice_is_refused(
    operator: User, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER.split(","), "parent"])
    sheet.append([*row(**(COMMUNITY | {"parent": "station-a"})).split(","), "station-b"])
    book.save(tmp_path / "matrix.xlsx")

    job = post_matrix(signed_in(operator), (tmp_path / "matrix.xlsx").read_bytes(), "m.xlsx")

    assert job.result["problems"] == [
        "line 1: the column parent is named more than once; keep one"
    ]
    assert not Unit.objects.filter(code="a-east").exists()


def test_renaming_a_unit_is_audited_by_ids_only(cast: Cast, operator: User) -> None:
    community = row(**(COMMUNITY | {"parent": "station-a"}))
    renamed = row(record="unit", code="station-a", name="新名字", kind="station", parent="county")
    client = signed_in(operator)
    upload_matrix(client, [community])

    job = upload_matrix(client, [renamed, community])

    assert job.status == JobStatus.DONE, job.result
    [entry] = AuditRecord.objects.filter(action="unit.renamed")
    assert (entry.actor, entry.object_id, entry.unit, entry.details) == (
        operator,
        str(cast.station_a.pk),
        cast.station_a,
        {},
    )


def test_renaming_a_person_is_audited_by_ids_only(cast: Cast, operator: User) -> None:
    eve = row(record="person", username="officer_eve", display_name="伊娃", unit="station-a")
    renamed = row(record="person", username="officer_eve", display_name="伊芙", unit="station-a")
    client = signed_in(operator)
    upload_matrix(client, [eve])

    upload_matrix(client, [renamed])
    upload_matrix(client, [renamed])

    eve_user = User.objects.get(username="officer_eve")
    [entry] = AuditRecord.objects.filter(action="person.renamed")
    assert (entry.actor, entry.object_id, entry.unit) == (
        operator,
        str(eve_user.pk),
        cast.station_a,
    )
    assert entry.details == {"user": eve_user.pk}
    assert eve_user.display_name == "伊芙"


def test_a_new_unit_or_person_is_created_not_renamed(operator: User) -> None:
    eve = row(record="person", username="officer_eve", display_name="伊娃", unit="a-east")

    upload_matrix(signed_in(operator), [row(**(COMMUNITY | {"parent": "station-a"})), eve])

    assert not AuditRecord.objects.filter(action__in=["unit.renamed", "person.renamed"]).exists()
    assert AuditRecord.objects.filter(action="unit.created").count() == 1
