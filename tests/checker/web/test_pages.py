"""The checker page marks findings in place; lexicon pages are for the center's staff only."""

from django.test import Client, TestCase

from beatdesk.audit.models import AuditRecord
from beatdesk.checker.models import Lexicon
from beatdesk.core.models import Job, JobStatus
from beatdesk.units.models import RoleAssignment
from tests.conftest import Cast, signed_in

HEADER = "term\tcategory\tseverity\treason\tsuggestion\texceptions\texception_severity\n"


def test_an_officer_sees_findings_marked_in_the_text_with_reasons(cast: Cast) -> None:
    response = signed_in(cast.officer_a).post(
        "/checker/", {"text": "请拨打13812345678联系。", "unit": "station-a"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="severity-review">13812345678<a href="#finding-1"' in body
    assert "138****5678" in body


def test_the_answer_box_gets_the_findings_list_as_a_fragment(cast: Cast) -> None:
    response = signed_in(cast.officer_a).post(
        "/checker/inline/", {"text": "请拨打13812345678联系。", "unit": "station-a"}
    )

    body = response.content.decode()
    assert "<div" not in body.split("<ol", 1)[0], "the box stays; only its inside is sent"
    assert 'class="finding severity-review"' in body
    assert "13812345678" in body


def test_an_officer_cannot_open_or_change_a_lexicon(cast: Cast) -> None:
    client = signed_in(cast.officer_a)

    page = client.get("/checker/lexicons/station-a/")
    change = client.post("/checker/lexicons/station-a/", {"action": "allow", "term": "严打"})

    assert page.status_code == change.status_code == 404
    assert not Lexicon.objects.exists()


def _import(client: Client, name: str, data: bytes, language: str = "") -> tuple[Job, str]:
    """Upload a lexicon file; the worker runs the import (inline here, MemoryHuey)."""
    headers = {"Accept-Language": language} if language else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/checker/lexicons/city/",
            {"action": "import", "file": _upload(name, data)},
            headers=headers,
        )
    assert response.status_code == 302
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    page = client.get(response["Location"], headers=headers).content.decode()
    return job, page


def test_center_staff_import_a_file_and_a_bad_file_changes_nothing(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    good = (HEADER + "警花\tdiscriminatory\t\t以外貌称呼女警\t女民警\n").encode()
    bad = (HEADER + "严打\tunknown\t\t理由\n").encode()

    imported, _page = _import(client, "a.tsv", good)
    refused, page = _import(client, "b.tsv", bad)

    assert (imported.status, refused.status) == (JobStatus.DONE, JobStatus.FAILED)
    assert "第 2 行" in page
    layer = Lexicon.objects.get(unit=cast.city)
    assert (layer.version, list(layer.terms.values_list("term", flat=True))) == (1, ["警花"])


def test_the_import_runs_as_a_job_whose_counts_wait_on_its_page(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    rows = "".join(f"词条{number:03d}\tcareless\t\t理由{number}\n" for number in range(120))

    job, page = _import(client, "many.tsv", (HEADER + rows).encode(), "en")

    assert job.status == JobStatus.DONE
    assert job.result["counts"] == [["Terms imported", 120], ["Version", 1]]
    assert "Terms imported" in page and "120" in page
    assert bytes(job.input_data) == b""
    assert AuditRecord.objects.filter(action="lexicon.imported").count() == 1


def test_a_file_over_10_mb_is_refused_before_any_job_is_queued(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    huge = HEADER.encode() + b"x" * (10 * 1024 * 1024 + 1)

    response = client.post(
        "/checker/lexicons/city/",
        {"action": "import", "file": _upload("huge.tsv", huge)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "The file is larger than 10 MB." in response.content.decode()
    assert not Job.objects.exists()


def test_staff_whose_role_was_taken_after_the_upload_import_nothing(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    with TestCase.captureOnCommitCallbacks(execute=False) as waiting:
        client.post(
            "/checker/lexicons/city/",
            {
                "action": "import",
                "file": _upload("a.tsv", (HEADER + "警花\tcareless\t\t理由\n").encode()),
            },
        )
    RoleAssignment.objects.filter(user=cast.center_operator).delete()

    for wake in waiting:
        wake()

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "no longer" in job.error
    assert not Lexicon.objects.exists()


def test_a_refused_lexicon_line_is_explained_in_the_readers_language(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    bad = (HEADER + "严打\tunknown\t\t理由\n" + "冰毒\tprohibited\tlater\t理由\n").encode()

    _job, in_chinese = _import(client, "b.tsv", bad)
    _job, in_english = _import(client, "b.tsv", bad, "en")

    assert "未知的类别 &#x27;unknown&#x27;" in in_chinese
    assert "未知的级别 &#x27;later&#x27;" in in_chinese
    assert "Unknown category &#x27;unknown&#x27;" not in in_chinese
    assert "Line 2: Unknown category &#x27;unknown&#x27;" in in_english
    assert "Line 3: Unknown severity &#x27;later&#x27;" in in_english
    assert not Lexicon.objects.filter(unit=cast.city).exists()


def test_the_pages_ask_for_sign_in(db: None) -> None:
    assert Client().get("/checker/").status_code == 302
    assert Client().get("/checker/lexicons/").status_code == 302


def _upload(name: str, data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/tab-separated-values")


def test_removing_a_term_by_a_made_up_id_is_not_found(cast: Cast) -> None:
    response = signed_in(cast.center_operator).post(
        "/checker/lexicons/city/", {"action": "remove", "term_id": "abc"}
    )

    assert response.status_code == 404
