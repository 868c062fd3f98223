"""Long work runs as a job: progress while it runs, a result to come back to, for its owner only.

The jobs here are real matrix imports started through the matrix page; the worker runs
inline (MemoryHuey, immediate) once the request's transaction commits.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from beatdesk.core.jobs import STALLED_MESSAGE, UNEXPECTED_MESSAGE, Progress, fail_stalled_jobs
from beatdesk.core.models import Job, JobStatus
from beatdesk.core.tasks import run_job
from beatdesk.units.models import Role, User
from tests.channels.matrix_upload import row, upload_matrix
from tests.conftest import Cast, make_user, signed_in


@pytest.fixture
def operator(cast: Cast) -> User:
    return make_user("operator_olga", cast.station_a, Role.OPERATOR)


def community_rows(count: int) -> list[str]:
    return [
        row(record="unit", code=f"c{n}", name=f"社区{n}", kind="community", parent="station-a")
        for n in range(count)
    ]


def test_it_runs_an_import_and_records_how_far_it_came(operator: User) -> None:
    job = upload_matrix(signed_in(operator), community_rows(30))

    assert job.status == JobStatus.DONE
    assert (job.done, job.total) == (30, 30)
    assert job.step == "Checking and importing the rows"
    assert job.started_at is not None and job.finished_at is not None
    assert ["Units created", 30] in job.result["counts"]


def test_it_forgets_the_uploaded_file_once_the_job_has_ended(operator: User) -> None:
    job = upload_matrix(signed_in(operator), community_rows(1))

    assert job.input_name == "matrix.csv"
    assert bytes(job.input_data) == b""


def test_it_writes_progress_at_most_once_a_second_however_fast_rows_go(operator: User) -> None:
    job = Job.objects.create(kind="matrix_import", started_by=operator)
    progress = Progress(job)

    for done in range(1, 501):
        progress(done, 500, "Checking and importing the rows")

    reported = HUEY.get(f"beatdesk-job-progress-{job.pk}", peek=True)
    assert reported[:3] == (1, 500, "Checking and importing the rows")


def test_it_shows_the_progress_bar_and_the_counts_on_the_job_page(operator: User) -> None:
    client = signed_in(operator)
    job = upload_matrix(client, community_rows(3))

    page = client.get(f"/jobs/{job.pk}/", headers={"Accept-Language": "en"}).content.decode()

    assert '<progress id="job-progress" max="3" value="3">' in page
    assert "<dt>Units created</dt><dd>3</dd>" in page


def test_it_polls_only_the_status_while_a_job_waits_for_the_worker(operator: User) -> None:
    job = Job.objects.create(kind="matrix_import", started_by=operator)
    client = signed_in(operator)

    partial = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()

    assert partial.lstrip().startswith('<section id="job-status"')
    assert 'hx-trigger="every 1s"' in partial


def test_it_records_a_failure_with_a_clear_message(operator: User) -> None:
    broken = b"\xff\xfe not a table"
    job = Job.objects.create(
        kind="no_such_kind", started_by=operator, input_name="x.csv", input_data=broken
    )

    run_job(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == UNEXPECTED_MESSAGE
    assert job.finished_at is not None
    assert bytes(job.input_data) == b""


def test_it_answers_404_for_another_persons_job_and_its_file(cast: Cast, operator: User) -> None:
    job = upload_matrix(signed_in(operator), community_rows(1))
    other = make_user("operator_oscar", cast.station_a, Role.OPERATOR)

    for client in (signed_in(other), signed_in(cast.leader)):
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/file/").status_code == 404
        assert f"/jobs/{job.pk}/" not in client.get("/jobs/").content.decode()


def test_it_sends_someone_signed_out_to_sign_in(operator: User) -> None:
    job = Job.objects.create(kind="matrix_import", started_by=operator)

    response = Client().get(f"/jobs/{job.pk}/")

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_lists_the_persons_own_jobs_with_a_way_back_to_each(operator: User) -> None:
    client = signed_in(operator)
    job = upload_matrix(client, community_rows(1))

    page = client.get("/jobs/").content.decode()

    assert f'href="/jobs/{job.pk}/"' in page
    assert 'href="/matrix/import/"' in page


def test_it_marks_a_job_failed_when_its_worker_died(operator: User) -> None:
    long_ago = timezone.now() - timedelta(minutes=30)
    dead = Job.objects.create(kind="matrix_import", started_by=operator, status="running")
    Job.objects.filter(pk=dead.pk).update(started_at=long_ago)
    alive = Job.objects.create(kind="matrix_import", started_by=operator, status="running")
    Job.objects.filter(pk=alive.pk).update(started_at=long_ago)
    Progress(alive)(10, 100, "Checking and importing the rows")

    assert fail_stalled_jobs() == 1

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.error) == (JobStatus.FAILED, STALLED_MESSAGE)
    assert alive.status == JobStatus.RUNNING


def test_it_runs_a_job_only_once_when_woken_twice(operator: User) -> None:
    job = upload_matrix(signed_in(operator), community_rows(1))
    finished_at = job.finished_at

    run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.finished_at) == (JobStatus.DONE, finished_at)


def test_it_shows_what_a_running_job_last_reported(operator: User) -> None:
    job = Job.objects.create(kind="matrix_import", started_by=operator, status="running")
    Progress(job)(10, 100, "Checking and importing the rows")
    client = signed_in(operator)

    partial = client.get(
        f"/jobs/{job.pk}/", headers={"HX-Request": "true", "Accept-Language": "en"}
    ).content.decode()

    assert '<progress id="job-progress" max="100" value="10">' in partial
    assert "Running · Checking and importing the rows" in partial
