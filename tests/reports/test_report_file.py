"""The report file: a workbook of the page's figures, made by the worker for its maker only.

Who may prepare one is the policy table's export row (leaders, network center staff,
inspectors); the file covers the page's units where they may export, and no other.
The worker runs inline (MemoryHuey, immediate) once the request's transaction commits.
"""

import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, TestCase
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.core.models import Job, JobStatus
from beatdesk.core.tasks import run_job
from beatdesk.inbox.models import Case
from beatdesk.reports.access import access_report_scope
from beatdesk.reports.figures import local_days
from beatdesk.reports.report import report_charts
from beatdesk.units.models import Role, RoleAssignment, User
from tests.conftest import Cast, make_user, signed_in
from tests.reports.helpers import days_ago, officer_answers_at
from tests.reports.test_reports_page import report_page, seed_both_stations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ["About this report", "New cases", "Messages", "First answers", "On-time rates"]
ON_TIME_HEAD = ["Unit", "On time", "Closed late", "Open and overdue", "Counted", "On-time rate"]


@pytest.fixture
def seeded(cast: Cast, account: Account, peer: WeChatPeer) -> Cast:
    """Station A answered and closed a case on time, station B has one open past its deadline."""
    seed_both_stations(cast, account, peer)
    case = Case.objects.get(unit=cast.station_a)
    officer_answers_at(case, cast.officer_a, days_ago(4) + timedelta(minutes=90))
    return cast


@pytest.fixture
def station_leader(cast: Cast) -> User:
    """The head of station A, who may take away that station's report and no other."""
    return make_user("leader_sun", cast.station_a, Role.LEADER)


def ask_for_file(client: Client, days: str = "30", unit: str = "") -> Job:
    """Press "Prepare report file"; the job runs once the request commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/reports/file/", {"days": days, "unit": unit}, headers={"Accept-Language": "en"}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def download(client: Client, job: Job) -> Workbook:
    response = client.get(f"/jobs/{job.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "no-store" in response["Cache-Control"]
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(book: Workbook, name: str) -> list[list[Any]]:
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def page_table(page: str, heading_id: str) -> list[list[str]]:
    """Return the rows of the table of numbers under a chart of the page, head first."""
    section = page.split(f'id="{heading_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in rows]


def as_the_page_writes(value: Any, column: int, hours: set[int], share: set[int]) -> str:
    if value is None:
        return "–"
    if column in share:
        return f"{value * 100:.0f}%"
    if column in hours:
        return f"{value:.1f}"
    if hasattr(value, "date"):
        return str(value.date().isoformat())
    return str(value)


def test_the_leader_gets_a_workbook_of_the_page_figures(seeded: Cast) -> None:
    client = signed_in(seeded.leader)

    job = ask_for_file(client)

    assert job.status == JobStatus.DONE, job.error
    book = download(client, job)
    assert book.sheetnames == SHEETS
    rates = sheet_rows(book, "On-time rates")
    assert rates[0] == ON_TIME_HEAD
    assert sorted(rates[1:]) == [
        ["Unit county", 1, 0, 1, 2, 0.5],
        ["Unit station-a", 1, 0, 0, 1, 1],
        ["Unit station-b", 0, 0, 1, 1, 0],
    ]
    new_cases = {row[0].date(): row[1:] for row in sheet_rows(book, "New cases")[1:]}
    assert len(new_cases) == 30
    assert new_cases[days_ago(4).date()] == [1, 1]
    assert job.result["counts"] == [["Units rated", 3], ["Days counted", 30]]


@pytest.mark.parametrize(
    ("sheet", "heading", "hours", "share"),
    [
        ("New cases", "case-volume-heading", set(), set()),
        ("Messages", "message-volume-heading", set(), set()),
        ("First answers", "answer-time-heading", {2, 3}, set()),
        ("On-time rates", "on-time-heading", set(), {5}),
    ],
)
def test_every_table_of_the_file_holds_what_the_page_shows(
    seeded: Cast, sheet: str, heading: str, hours: set[int], share: set[int]
) -> None:
    client = signed_in(seeded.leader)
    page = report_page(seeded.leader, "?days=7")

    book = download(client, ask_for_file(client, days="7"))

    rows = sheet_rows(book, sheet)
    assert len(rows) > 1
    written = [rows[0]] + [
        [as_the_page_writes(value, column, hours, share) for column, value in enumerate(row)]
        for row in rows[1:]
    ]
    assert written == page_table(page, heading)


def test_the_first_answer_times_are_hours_a_spreadsheet_can_count(seeded: Cast) -> None:
    client = signed_in(seeded.leader)

    weeks = sheet_rows(download(client, ask_for_file(client)), "First answers")

    answered = [row for row in weeks[1:] if row[1]]
    # Station A answered after an hour and a half; station B has not answered yet.
    assert [row[1:] for row in answered] == [[1, 1.5, 1.5, 1]]


def test_the_file_says_what_it_counts_and_how_on_time_is_defined(seeded: Cast) -> None:
    client = signed_in(seeded.leader)

    about = sheet_rows(download(client, ask_for_file(client, days="7")), "About this report")

    lines = {row[0]: row[1] for row in about if row[0] and row[1]}
    assert lines["Units counted"] == "Unit county"
    assert lines["Days"] == f"{days_ago(6):%Y-%m-%d} – {days_ago(0):%Y-%m-%d}"
    assert lines["Time zone"] == "Asia/Shanghai"
    texts = [row[0] for row in about]
    assert "On-time rate by unit" in texts
    assert any(
        str(text).startswith("On time divided by the cases whose outcome is known")
        for text in texts
    )


def test_the_file_keeps_the_unit_and_the_period_chosen_on_the_page(seeded: Cast) -> None:
    client = signed_in(seeded.leader)

    book = download(client, ask_for_file(client, days="7", unit="station-b"))

    assert sheet_rows(book, "On-time rates")[1:] == [["Unit station-b", 0, 0, 1, 1, 0]]
    assert len(sheet_rows(book, "New cases")) == 1 + 7


def test_progress_moves_once_per_unit_of_the_on_time_table(seeded: Cast) -> None:
    scope = access_report_scope(seeded.leader)
    heard: list[tuple[int, int, str]] = []
    now = days_ago(0)

    report_charts(scope, local_days(now, 7), now, lambda *step: heard.append(step))

    assert heard == [
        (0, 6, "counting"),
        (2, 6, "timing"),
        (3, 6, "rating"),
        (4, 6, "rating"),
        (5, 6, "rating"),
        (6, 6, "rating"),
    ]


def test_the_finished_job_shows_every_step_done(seeded: Cast) -> None:
    job = ask_for_file(signed_in(seeded.leader))

    assert (job.done, job.total, job.step) == (6, 6, "Rating each unit")


def test_only_its_maker_may_download_the_file(seeded: Cast) -> None:
    job = ask_for_file(signed_in(seeded.leader))

    for person in (seeded.officer_a, seeded.inspector, seeded.center_operator, seeded.outsider):
        assert signed_in(person).get(f"/jobs/{job.pk}/file/").status_code == 404
        assert signed_in(person).get(f"/jobs/{job.pk}/").status_code == 404


def test_making_the_file_is_recorded_in_the_audit_trail_with_ids_only(seeded: Cast) -> None:
    whole = ask_for_file(signed_in(seeded.leader))
    narrowed = ask_for_file(signed_in(seeded.leader), days="7", unit="station-b")

    entries = AuditRecord.objects.filter(action="reports.exported").order_by("sequence")
    assert [(e.actor, e.object_id, e.unit, e.details) for e in entries] == [
        (seeded.leader, str(whole.pk), None, {"days": 30}),
        (seeded.leader, str(narrowed.pk), seeded.station_b, {"days": 7}),
    ]


def test_people_the_table_gives_no_export_right_cannot_start_one(seeded: Cast) -> None:
    for person in (seeded.officer_a, seeded.officer_b, seeded.outsider):
        client = signed_in(person)

        assert client.post("/reports/file/", {"days": "30"}).status_code == 403
    assert "Prepare report file" not in report_page(seeded.officer_a)
    assert "Prepare report file" in report_page(seeded.leader)
    assert not Job.objects.exists()


def test_an_inspector_and_the_center_get_the_units_they_supervise(seeded: Cast) -> None:
    for person, top in ((seeded.inspector, "Unit city"), (seeded.center_operator, "Unit prov")):
        client = signed_in(person)

        rates = sheet_rows(download(client, ask_for_file(client)), "On-time rates")

        # Their own unit comes first and counts both stations' cases.
        assert (rates[1][0], rates[1][4]) == (top, 2)


def test_a_station_leader_gets_their_station_and_cannot_ask_for_another(
    seeded: Cast, station_leader: User
) -> None:
    client = signed_in(station_leader)

    rates = sheet_rows(download(client, ask_for_file(client)), "On-time rates")
    english = {"Accept-Language": "en"}
    beside = client.post("/reports/file/", {"days": "30", "unit": "station-b"}, headers=english)
    above = client.post("/reports/file/", {"days": "30", "unit": "county"}, headers=english)

    assert rates[1:] == [["Unit station-a", 1, 0, 0, 1, 1]]
    for refused in (beside, above):
        assert refused.status_code == 400
        assert "You may not take a report of that unit away as a file." in refused.text
    assert Job.objects.count() == 1


def test_the_file_leaves_out_units_where_its_maker_may_only_read(
    seeded: Cast, station_leader: User
) -> None:
    # Leader at station A, officer at station B: the page shows both, the file only A.
    RoleAssignment.objects.create(user=station_leader, unit=seeded.station_b, role=Role.OFFICER)
    client = signed_in(station_leader)

    page = report_page(station_leader)
    rates = sheet_rows(download(client, ask_for_file(client)), "On-time rates")

    assert "Unit station-b" in page
    assert [row[0] for row in rates[1:]] == ["Unit station-a"]


def test_bad_filters_refuse_the_request_each_by_name_and_start_nothing(seeded: Cast) -> None:
    client = signed_in(seeded.leader)

    response = client.post(
        "/reports/file/", {"days": "365", "unit": "nowhere"}, headers={"Accept-Language": "en"}
    )

    assert response.status_code == 400
    assert "Period: That period is not in the list." in response.text
    assert "Unit: You may not take a report of that unit away as a file." in response.text
    assert not Job.objects.exists()


def test_a_maker_who_lost_the_right_before_the_worker_ran_gets_no_file(
    seeded: Cast, station_leader: User
) -> None:
    response = signed_in(station_leader).post("/reports/file/", {"days": "30"})
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    RoleAssignment.objects.filter(user=station_leader).delete()

    run_job(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("No file was made")
    assert not job.result_name and not bytes(job.result_data)
    assert not AuditRecord.objects.filter(action="reports.exported").exists()


def test_a_unit_named_like_a_formula_stays_text_in_the_workbook(seeded: Cast) -> None:
    seeded.station_a.name = '=HYPERLINK("http://example.invalid")\x07'
    seeded.station_a.save()
    client = signed_in(seeded.leader)
    job = ask_for_file(client)

    book = download(client, job)

    cells = [row[0] for row in book["On-time rates"].iter_rows()]
    named = [cell for cell in cells if str(cell.value).startswith("=")]
    assert [(cell.value, cell.data_type) for cell in named] == [
        ('=HYPERLINK("http://example.invalid")', "s")
    ]
    with zipfile.ZipFile(io.BytesIO(bytes(job.result_data))) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(name) for name in sheets)
