"""The checker page marks findings in place; lexicon pages are for the center's staff only."""

from django.test import Client

from beatdesk.checker.models import Lexicon
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


def test_center_staff_import_a_file_and_a_bad_file_changes_nothing(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    good = (HEADER + "警花\tdiscriminatory\t\t以外貌称呼女警\t女民警\n").encode()
    bad = (HEADER + "严打\tunknown\t\t理由\n").encode()

    imported = client.post(
        "/checker/lexicons/city/", {"action": "import", "file": _upload("a.tsv", good)}
    )
    refused = client.post(
        "/checker/lexicons/city/",
        {"action": "import", "file": _upload("b.tsv", bad)},
        follow=True,
    )

    assert imported.status_code == 302
    assert "Line 2" in refused.content.decode() or "第 2 行" in refused.content.decode()
    layer = Lexicon.objects.get(unit=cast.city)
    assert (layer.version, list(layer.terms.values_list("term", flat=True))) == (1, ["警花"])


def test_a_refused_lexicon_line_is_explained_in_the_readers_language(cast: Cast) -> None:
    client = signed_in(cast.center_operator)
    bad = (HEADER + "严打\tunknown\t\t理由\n" + "冰毒\tprohibited\tlater\t理由\n").encode()

    in_chinese = client.post(
        "/checker/lexicons/city/",
        {"action": "import", "file": _upload("b.tsv", bad)},
        follow=True,
    ).content.decode()
    in_english = client.post(
        "/checker/lexicons/city/",
        {"action": "import", "file": _upload("b.tsv", bad)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

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
