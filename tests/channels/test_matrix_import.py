"""The matrix page: operators import inside their own units only, all or nothing, audited.

Olga is an operator at station A; the cast's officers, leader and outsider are in
tests/conftest.py. Every import runs as a job in the (inline) worker.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import Workbook

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.core.models import Job, JobStatus
from beatdesk.units.models import Role, RoleAssignment, Unit, User
from tests.channels.matrix_upload import HEADER, post_matrix, row, upload_matrix
from tests.conftest import Cast, make_user, make_wechat_account, signed_in

COMMUNITY = row(record="unit", code="a-east", name="东社区", kind="community", parent="station-a")
OFFICER = row(
    record="person", username="officer_eve", display_name="伊娃", unit="a-east", role="officer"
)
ACCOUNT = row(
    record="account",
    code="wx-a-east",
    name="东社区公众号",
    channel="wechat",
    unit="a-east",
    app_id="wx2",
    original_id="gh_2",
    token="t",
    encoding_aes_key="k" * 43,
    app_secret="s",
)


@pytest.fixture
def operator(cast: Cast) -> User:
    return make_user("operator_olga", cast.station_a, Role.OPERATOR)


def test_it_imports_a_community_unit_and_its_officer_under_the_operators_station(
    cast: Cast, operator: User
) -> None:
    job = upload_matrix(signed_in(operator), [COMMUNITY, OFFICER, ACCOUNT])

    assert job.status == JobStatus.DONE, job.result
    community = Unit.objects.get(code="a-east")
    assert community.parent == cast.station_a
    assert RoleAssignment.objects.filter(user__username="officer_eve", unit=community).exists()
    assert Account.objects.get(code="wx-a-east").unit == community
    assert ["Units created", 1] in job.result["counts"]
    assert ["People created", 1] in job.result["counts"]


def test_it_audits_the_import_and_each_change_under_the_operators_name(operator: User) -> None:
    job = upload_matrix(signed_in(operator), [COMMUNITY, OFFICER])

    imported = AuditRecord.objects.get(action="matrix.imported")
    assert (imported.actor, imported.object_id) == (operator, str(job.pk))
    assert imported.details["units_created"] == 1
    assert AuditRecord.objects.filter(action="unit.created", actor=operator).count() == 1
    assert AuditRecord.objects.filter(action="role.granted", actor=operator).count() == 1


def test_it_counts_rows_already_there_when_the_same_file_comes_again(operator: User) -> None:
    client = signed_in(operator)
    upload_matrix(client, [COMMUNITY, OFFICER])

    again = upload_matrix(client, [COMMUNITY, OFFICER])

    assert ["Units created", 0] in again.result["counts"]
    assert ["Units already there", 1] in again.result["counts"]
    assert ["People already there", 1] in again.result["counts"]


def test_it_refuses_rows_outside_the_operators_units_and_imports_nothing(
    cast: Cast, operator: User
) -> None:
    beside = row(record="unit", code="b-west", name="西社区", kind="community", parent="station-b")
    at_b = row(record="person", username="officer_fay", unit="station-b", role="officer")

    job = upload_matrix(signed_in(operator), [COMMUNITY, beside, at_b, OFFICER])

    assert job.status == JobStatus.FAILED
    problems = job.result["problems"]
    assert [problem.split(":")[0] for problem in problems] == ["line 3", "line 4"]
    assert "b-west" in problems[0] and "station-b" in problems[1]
    assert not Unit.objects.filter(code__in=["a-east", "b-west"]).exists()
    assert not User.objects.filter(username__in=["officer_eve", "officer_fay"]).exists()
    assert not AuditRecord.objects.filter(action__in=["matrix.imported", "unit.created"]).exists()


def test_it_refuses_to_move_another_units_account_into_the_operators_station(
    cast: Cast, operator: User
) -> None:
    make_wechat_account(cast.station_b, code="station-b")
    taken = row(
        record="account", code="station-b", name="抢来的", channel="wechat", unit="station-a"
    )

    job = upload_matrix(signed_in(operator), [taken])

    assert job.status == JobStatus.FAILED and "station-b" in job.result["problems"][0]
    assert Account.objects.get(code="station-b").unit == cast.station_b


def test_it_refuses_to_change_someone_who_also_works_elsewhere(cast: Cast, operator: User) -> None:
    bo = row(record="person", username="officer_bo", display_name="改名", unit="station-a")

    job = upload_matrix(signed_in(operator), [bo])

    assert job.result["problems"] == ["line 2: officer_bo also works outside the units you manage"]
    assert User.objects.get(username="officer_bo").display_name == "Officer Bo"


def test_it_leaves_granting_administrator_roles_to_a_system_administrator(
    cast: Cast, operator: User
) -> None:
    admin = row(record="person", username="adam", unit="station-a", role="system_admin")
    system_admin = make_user("sysadmin_sam", cast.station_a, Role.SYSTEM_ADMIN)

    refused = upload_matrix(signed_in(operator), [admin])
    granted = upload_matrix(signed_in(system_admin), [admin])

    assert refused.status == JobStatus.FAILED and "system_admin" in refused.result["problems"][0]
    assert granted.status == JobStatus.DONE
    assert RoleAssignment.objects.filter(user__username="adam", role="system_admin").exists()


def test_it_imports_nothing_from_a_file_with_errors_and_names_each_line(operator: User) -> None:
    orphan = row(record="unit", code="x", name="孤儿", kind="community", parent="nowhere")
    sheriff = row(record="person", username="bo2", unit="station-a", role="sheriff")

    job = upload_matrix(signed_in(operator), [COMMUNITY, orphan, sheriff])

    assert job.status == JobStatus.FAILED
    assert [problem.split(":")[0] for problem in job.result["problems"]] == ["line 3", "line 4"]
    assert not Unit.objects.filter(code="a-east").exists()


def test_it_imports_an_excel_workbook_too(operator: User, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(COMMUNITY.split(","))
    book.save(tmp_path / "matrix.xlsx")

    job = post_matrix(signed_in(operator), (tmp_path / "matrix.xlsx").read_bytes(), "matrix.xlsx")

    assert job.status == JobStatus.DONE
    assert Unit.objects.filter(code="a-east").exists()


def test_it_refuses_another_kind_of_file_and_one_too_large(operator: User) -> None:
    client = signed_in(operator)

    text = client.post("/matrix/import/", {"file": SimpleUploadedFile("matrix.txt", b"record\n")})
    large = client.post(
        "/matrix/import/", {"file": SimpleUploadedFile("m.csv", b"x" * (2 * 2**20 + 1))}
    )

    assert text.status_code == 200 and "errorlist" in text.content.decode()
    assert large.status_code == 200 and "errorlist" in large.content.decode()


def test_it_shows_the_page_to_operators_only(cast: Cast, operator: User) -> None:
    assert signed_in(operator).get("/matrix/import/").status_code == 200
    for person in (cast.officer_a, cast.leader, cast.outsider):
        assert signed_in(person).get("/matrix/import/").status_code == 403
        response = signed_in(person).post(
            "/matrix/import/", {"file": SimpleUploadedFile("m.csv", b"x")}
        )
        assert response.status_code == 403


def test_it_lets_an_operator_rename_their_own_station_but_not_add_a_top_unit(
    cast: Cast, operator: User
) -> None:
    renamed = row(record="unit", code="station-a", name="新名字", kind="station", parent="county")
    top = row(record="unit", code="elsewhere", name="别处", kind="province")

    assert upload_matrix(signed_in(operator), [renamed]).status == JobStatus.DONE
    refused = upload_matrix(signed_in(operator), [top])

    assert Unit.objects.get(code="station-a").name == "新名字"
    assert refused.result["problems"] == [
        "line 2: unit elsewhere must sit under a unit you manage"
    ]


def test_an_operator_cannot_give_themselves_a_leaders_or_inspectors_rights(
    cast: Cast, operator: User
) -> None:
    raise_self = row(
        record="person",
        username="operator_olga",
        display_name="奥尔加",
        unit="station-a",
        role="leader;inspector;center_staff",
    )

    job = upload_matrix(signed_in(operator), [raise_self])

    assert job.status == JobStatus.FAILED
    assert any("your own roles" in problem for problem in job.result["problems"])
    roles = set(operator.role_assignments.values_list("role", flat=True))
    assert roles == {Role.OPERATOR}


def test_an_operator_grants_officers_roles_only_and_not_an_inspectors(
    cast: Cast, operator: User
) -> None:
    watcher = row(
        record="person", username="ivan", display_name="伊万", unit="station-a", role="inspector"
    )
    leader = row(
        record="person", username="lena", display_name="莲娜", unit="station-a", role="leader"
    )

    job = upload_matrix(signed_in(operator), [watcher, leader])

    assert job.status == JobStatus.FAILED
    problems = " ".join(job.result["problems"])
    assert "inspector" in problems and "leader" in problems
    assert not User.objects.filter(username__in=["ivan", "lena"]).exists()


def test_a_system_administrator_may_grant_a_leaders_role(cast: Cast) -> None:
    admin = make_user("admin_ada", cast.county, Role.SYSTEM_ADMIN)
    leader = row(
        record="person", username="lena", display_name="莲娜", unit="station-a", role="leader"
    )

    job = upload_matrix(signed_in(admin), [leader])

    assert job.status == JobStatus.DONE, job.result
    assert RoleAssignment.objects.filter(user__username="lena", role=Role.LEADER).exists()


def test_a_workbook_that_unpacks_to_more_than_30_mb_is_refused_unread(operator: User) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (6 * 1024 * 1024))

    job = post_matrix(signed_in(operator), packed.getvalue(), name="bomb.xlsx")

    assert job.status == JobStatus.FAILED
    assert any("30 MB" in problem for problem in job.result["problems"])


def test_a_file_of_more_than_ten_thousand_rows_is_refused_whole(operator: User) -> None:
    lines = [COMMUNITY] + [f"x{number}" for number in range(10_001)]

    job = upload_matrix(signed_in(operator), lines)

    assert job.status == JobStatus.FAILED
    assert any("10,000" in problem for problem in job.result["problems"])
    assert not Unit.objects.filter(code="a-east").exists()


def test_a_file_of_bad_lines_keeps_at_most_200_problems(operator: User) -> None:
    job = upload_matrix(signed_in(operator), [f"nonsense{number}" for number in range(500)])

    assert job.status == JobStatus.FAILED
    assert len(job.result["problems"]) == 200


def test_a_csv_cell_longer_than_the_csv_reader_allows_is_a_clear_problem(
    operator: User,
) -> None:
    job = upload_matrix(signed_in(operator), [row(record="unit", name="长" * 200_000)])

    assert job.status == JobStatus.FAILED
    assert any("not a readable CSV file" in problem for problem in job.result["problems"])


def test_problems_come_back_in_the_uploaders_language(operator: User) -> None:
    data = "\n".join([HEADER, row(record="unit", name="无代码")]).encode() + b"\n"
    upload = {"file": SimpleUploadedFile("matrix.csv", data)}

    with TestCase.captureOnCommitCallbacks(execute=True):
        signed_in(operator).post("/matrix/import/", upload, headers={"Accept-Language": "zh-hans"})

    [problem] = Job.objects.get().result["problems"]
    assert problem == "第 2 行：单位需要填写代码和名称"
