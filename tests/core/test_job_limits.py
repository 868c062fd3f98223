"""A person may have only a few unfinished jobs of one kind; more are refused, clearly.

The requests here are not followed by the worker (their commit callbacks are not run), so
each job stays waiting, as it would behind a busy or stopped worker.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from beatdesk.core.actions import MOST_UNFINISHED_JOBS, bounded_file_name
from beatdesk.core.models import Job, JobStatus
from beatdesk.units.models import Role, User
from tests.channels.matrix_upload import HEADER, post_matrix, row
from tests.conftest import Cast, make_user, signed_in

REFUSAL = "Nothing was started: you already have 3 jobs of this kind waiting or running."


@pytest.fixture
def operator(cast: Cast) -> User:
    return make_user("operator_olga", cast.station_a, Role.OPERATOR)


def press(client: Client, path: str, data: dict[str, str] | None = None) -> int:
    return client.post(path, data or {}, headers={"Accept-Language": "en"}).status_code


def test_a_fourth_unfinished_case_export_is_refused_with_a_reason(cast: Cast) -> None:
    client = signed_in(cast.leader)

    assert [press(client, "/inbox/export/") for _ in range(MOST_UNFINISHED_JOBS)] == [302] * 3
    refused = client.post("/inbox/export/", headers={"Accept-Language": "en"})

    assert refused.status_code == 429
    assert REFUSAL in refused.text
    assert Job.objects.filter(started_by=cast.leader).count() == MOST_UNFINISHED_JOBS


def test_a_fourth_unfinished_report_file_is_refused_with_a_reason(cast: Cast) -> None:
    client = signed_in(cast.leader)
    for _ in range(MOST_UNFINISHED_JOBS):
        assert press(client, "/reports/file/", {"days": "30"}) == 302

    refused = client.post("/reports/file/", {"days": "30"}, headers={"Accept-Language": "en"})

    assert refused.status_code == 429
    assert REFUSAL in refused.text
    assert Job.objects.count() == MOST_UNFINISHED_JOBS


def test_a_fourth_unfinished_matrix_import_is_refused_and_the_form_stays(operator: User) -> None:
    client = signed_in(operator)
    data = f"{HEADER}\n{row(record='unit', code='x', name='x', parent='station-a')}\n".encode()
    for _ in range(MOST_UNFINISHED_JOBS):
        upload = {"file": SimpleUploadedFile("matrix.csv", data)}
        assert client.post("/matrix/import/", upload).status_code == 302

    upload = {"file": SimpleUploadedFile("matrix.csv", data)}
    refused = client.post("/matrix/import/", upload, headers={"Accept-Language": "en"})

    assert refused.status_code == 429
    assert REFUSAL in refused.text and 'type="file"' in refused.text
    assert Job.objects.count() == MOST_UNFINISHED_JOBS


def test_the_limit_counts_each_kind_and_each_person_apart(cast: Cast) -> None:
    leader, center = signed_in(cast.leader), signed_in(cast.center_operator)
    for _ in range(MOST_UNFINISHED_JOBS):
        press(leader, "/inbox/export/")

    assert press(leader, "/reports/file/", {"days": "30"}) == 302
    assert press(center, "/inbox/export/") == 302


def test_a_finished_job_makes_room_for_another(cast: Cast) -> None:
    client = signed_in(cast.leader)
    for _ in range(MOST_UNFINISHED_JOBS):
        press(client, "/inbox/export/")
    assert press(client, "/inbox/export/") == 429

    oldest = Job.objects.order_by("pk")[0]
    Job.objects.filter(pk=oldest.pk).update(status=JobStatus.DONE)

    assert press(client, "/inbox/export/") == 302


def test_a_refused_lexicon_import_says_why_on_its_page(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    upload = b"term\tcategory\n\xe8\xad\xa6\xe8\x8a\xb1\tdiscriminatory\n"
    for _ in range(MOST_UNFINISHED_JOBS):
        Job.objects.create(kind="lexicon_import", started_by=cast.center_operator)

    page = client.post(
        "/checker/lexicons/city/",
        {"action": "import", "file": SimpleUploadedFile("terms.tsv", upload)},
        headers={"Accept-Language": "en"},
    )

    assert REFUSAL in page.text
    assert Job.objects.count() == MOST_UNFINISHED_JOBS


def test_a_long_file_name_keeps_its_suffix_and_the_file_still_imports(operator: User) -> None:
    name = "省" * 250 + ".csv"
    unit = row(record="unit", code="c1", name="c", kind="community", parent="station-a")
    data = f"{HEADER}\n{unit}\n"

    job = post_matrix(signed_in(operator), data.encode(), name=name)

    assert job.status == JobStatus.DONE, job.result
    assert len(job.input_name) == 200 and job.input_name.endswith("省.csv")


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("m.csv", "m.csv"),
        ("a" * 300 + ".xlsx", "a" * 195 + ".xlsx"),
        ("a" * 300, "a" * 200),
        ("a" * 150 + "." + "b" * 100, ("a" * 150 + "." + "b" * 100)[:200]),
    ],
)
def test_a_file_name_is_cut_in_its_stem(name: str, kept: str) -> None:
    assert bounded_file_name(name) == kept
