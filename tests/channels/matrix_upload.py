"""Upload a matrix file through the matrix page and let the worker run the job it queued."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from beatdesk.channels.matrix import COLUMNS
from beatdesk.core.models import Job

HEADER = ",".join(COLUMNS)


def row(**values: str) -> str:
    return ",".join(values.get(column, "") for column in COLUMNS)


def post_matrix(client: Client, data: bytes, name: str = "matrix.csv") -> Job:
    """Upload the file; the job runs inline (MemoryHuey) once the request commits.

    The page is asked for in English, so the job's messages come out in English too.
    """
    upload = {"file": SimpleUploadedFile(name, data)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/matrix/import/", upload, headers={"Accept-Language": "en"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    return Job.objects.get(pk=job_id)


def upload_matrix(client: Client, lines: list[str]) -> Job:
    """Upload a CSV matrix of `lines` under the usual header."""
    return post_matrix(client, "\n".join([HEADER, *lines]).encode() + b"\n")
