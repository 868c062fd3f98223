"""The matrix page explains its file: a column guide and a sample, from the import's columns.

Olga is an operator at station A; the sample she downloads hangs its community under her
station, so she may import it as it is.
"""

import csv
import io

import pytest

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.matrix import COLUMNS
from beatdesk.channels.matrix_columns import MATRIX_COLUMNS
from beatdesk.core.models import JobStatus
from beatdesk.units.models import Role, RoleAssignment, Unit, User
from tests.channels.matrix_upload import post_matrix
from tests.conftest import Cast, make_user, signed_in


@pytest.fixture
def operator(cast: Cast) -> User:
    return make_user("operator_olga", cast.station_a, Role.OPERATOR)


def sample(user: User) -> bytes:
    response = signed_in(user).get("/matrix/sample.csv", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="matrix-sample.csv"'
    return response.content


def test_the_import_page_links_to_the_guide_and_the_sample(operator: User) -> None:
    page = signed_in(operator).get("/matrix/import/").content.decode()

    assert 'href="/matrix/guide/"' in page
    assert 'href="/matrix/sample.csv" download' in page


def test_the_guide_explains_every_column_the_import_reads(operator: User) -> None:
    page = signed_in(operator).get("/matrix/guide/", headers={"Accept-Language": "en"}).text

    for name in COLUMNS:
        assert f'<tr id="column-{name}">' in page
    assert "<code>community</code> (Community police office)" in page
    assert "<code>duty_officer</code> (Duty officer)" in page


def test_the_guide_gives_each_bounded_column_its_longest_cell(operator: User) -> None:
    page = signed_in(operator).get("/matrix/guide/", headers={"Accept-Language": "en"}).text

    code = page.split('<tr id="column-code">', 1)[1].split("</tr>", 1)[0]
    address = page.split('<tr id="column-address">', 1)[1].split("</tr>", 1)[0]
    secret = page.split('<tr id="column-secret">', 1)[1].split("</tr>", 1)[0]
    assert "<td>64 characters</td>" in code
    assert "<td>200 characters</td>" in address
    assert "characters" not in secret


def test_the_sample_has_the_import_columns_in_order_and_every_kind_of_row(
    operator: User,
) -> None:
    data = sample(operator)

    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS == [column.name for column in MATRIX_COLUMNS]
    assert [row[0] for row in rows[1:]] == ["unit", "person", "account"]
    assert rows[1][COLUMNS.index("parent")] == "station-a"


def test_the_operator_may_import_the_sample_as_it_is(cast: Cast, operator: User) -> None:
    job = post_matrix(signed_in(operator), sample(operator), name="matrix-sample.csv")

    assert job.status == JobStatus.DONE, job.result
    community = Unit.objects.get(code="example-community")
    assert community.parent == cast.station_a
    assert RoleAssignment.objects.filter(user__username="example.officer").count() == 2
    assert AuditRecord.objects.filter(action="account.created", actor=operator).count() == 1


def test_a_system_administrator_higher_up_gets_a_sample_under_their_own_unit(
    cast: Cast,
) -> None:
    admin = make_user("admin_ada", cast.county, Role.SYSTEM_ADMIN)
    RoleAssignment.objects.create(user=admin, unit=cast.station_b, role=Role.OPERATOR)

    rows = list(csv.reader(io.StringIO(sample(admin).decode("utf-8-sig"))))

    assert rows[1][COLUMNS.index("parent")] == "county"


def test_only_importers_see_the_guide_and_the_sample(cast: Cast) -> None:
    for person in (cast.officer_a, cast.leader, cast.inspector, cast.outsider):
        client = signed_in(person)

        assert client.get("/matrix/guide/").status_code == 403
        assert client.get("/matrix/sample.csv").status_code == 403
