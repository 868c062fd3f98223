"""The case export: a CSV job of the cases one may see, masked as on screen, for its owner only.

Who may export is a row of the policy table (`units.policy`, Action.EXPORT): leaders,
network center staff and inspectors, for their units. The tests check the export itself:
which cases, how they are masked, who gets the file, and the audit record.
"""

import csv
import io

import pytest
from django.test import Client, TestCase

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.core.models import Job, JobStatus
from beatdesk.inbox.models import Case
from beatdesk.units.models import Role, User
from tests.conftest import Cast, make_user, make_wechat_account, signed_in
from tests.inbox.helpers import resident_writes

PHONE = "13812345678"


@pytest.fixture
def station_leader(cast: Cast) -> User:
    """The head of station A, who may export that station's cases and no others."""
    return make_user("leader_sun", cast.station_a, Role.LEADER)


@pytest.fixture
def cases(cast: Cast, account: Account, peer: WeChatPeer) -> tuple[Case, Case]:
    account_b = make_wechat_account(cast.station_b, code="station-b")
    case_a = resident_writes(account, peer, "oFAKE_EXPORT_A", f"我的电话是{PHONE}，门口被堵了")
    case_b = resident_writes(account_b, peer, "oFAKE_EXPORT_B", "请问办护照要什么")
    return case_a, case_b


def export(client: Client) -> Job:
    """Ask for an export; the job runs inline (MemoryHuey) once the request commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/inbox/export/")
    assert response.status_code == 302
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def download(client: Client, job: Job) -> list[list[str]]:
    response = client.get(f"/jobs/{job.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_exports_only_the_cases_the_exporter_may_see(
    station_leader: User, cases: tuple[Case, Case]
) -> None:
    client = signed_in(station_leader)

    job = export(client)

    assert job.status == JobStatus.DONE
    rows = download(client, job)
    assert [line[0] for line in rows[1:]] == [cases[0].tracking_code]
    assert job.result["counts"] == [["Cases exported", 1]]


def test_it_gives_the_county_leader_both_stations(cast: Cast, cases: tuple[Case, Case]) -> None:
    client = signed_in(cast.leader)

    rows = download(client, export(client))

    assert {line[0] for line in rows[1:]} == {case.tracking_code for case in cases}


def test_it_masks_the_resident_and_leaves_out_what_they_wrote(
    station_leader: User, cases: tuple[Case, Case]
) -> None:
    client = signed_in(station_leader)

    text = "\n".join(",".join(line) for line in download(client, export(client)))

    assert cases[0].resident.masked_id in text
    assert "oFAKE_EXPORT_A" not in text
    assert PHONE not in text and "门口" not in text


def test_it_lets_only_its_owner_download_the_file(cast: Cast, cases: tuple[Case, Case]) -> None:
    job = export(signed_in(cast.leader))

    for person in (cast.officer_a, cast.inspector, cast.outsider):
        assert signed_in(person).get(f"/jobs/{job.pk}/file/").status_code == 404


def test_it_records_the_export_in_the_audit_trail(cast: Cast, cases: tuple[Case, Case]) -> None:
    job = export(signed_in(cast.leader))

    entry = AuditRecord.objects.get(action="cases.exported")
    assert (entry.actor, entry.object_id, entry.details) == (
        cast.leader,
        str(job.pk),
        {"cases": 2},
    )


def test_it_refuses_someone_the_table_gives_no_right_to_export(cast: Cast) -> None:
    # An officer reads the station's cases on screen; taking them away in bulk is not theirs.
    for person in (cast.officer_a, cast.outsider):
        client = signed_in(person)

        assert client.get("/inbox/export/").status_code == 403
        assert client.post("/inbox/export/").status_code == 403
    assert not Job.objects.exists()


def test_an_inspector_may_export_the_cases_they_supervise(
    cast: Cast, cases: tuple[Case, Case]
) -> None:
    client = signed_in(cast.inspector)

    rows = download(client, export(client))

    assert {line[0] for line in rows[1:]} == {case.tracking_code for case in cases}


def test_it_quotes_a_cell_a_spreadsheet_would_run_as_a_formula(
    cast: Cast, station_leader: User, cases: tuple[Case, Case]
) -> None:
    cast.station_a.name = "=HYPERLINK(1)"
    cast.station_a.save()
    client = signed_in(station_leader)

    rows = download(client, export(client))

    assert rows[1][3] == "'=HYPERLINK(1)"
