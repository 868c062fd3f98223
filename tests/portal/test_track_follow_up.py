"""On the tracking page a resident rates an answered matter, or reopens it while it is recent."""

import re
from datetime import timedelta

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.inbox.access import ratings_for
from beatdesk.inbox.models import Case, CaseRating, CaseStatus, DuplicateProposal
from beatdesk.inbox.ratings import satisfaction
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import verify_if_needed
from tests.portal.conftest import write
from tests.portal.test_page_weight import BUDGET_BYTES, page_weight

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def answered_case(cast: Cast, client: Client) -> Case:
    # The write form has its own CSRF test; here it is only how the matter arrives.
    write(Client(headers=client.headers))
    case = Case.objects.get()
    verify_if_needed(cast.officer_a, case)
    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/answer/",
        {"text": "已经联系路灯管理所，明天维修。", "resolve": "on"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    return case


def track_page(client: Client, case: Case) -> str:
    response = client.get("/track/", {"code": case.tracking_code})
    assert response.status_code == 200
    return response.content.decode()


def post_form(client: Client, case: Case, path: str, **fields: object) -> str:
    """Post a form of the tracking page the way a browser does, with the page's CSRF token."""
    [token] = CSRF.findall(track_page(client, case))[:1]
    data = {"csrfmiddlewaretoken": token, "code": case.tracking_code, **fields}
    response = client.post(path, data)
    assert response.status_code == 302
    follow = client.get(response["Location"])
    return follow.content.decode()


def test_a_resident_rates_an_answered_matter_on_the_tracking_page(stations: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    case = answered_case(stations, client)

    page = post_form(client, case, "/track/rate/", score="5")

    rating = CaseRating.objects.get(case=case)
    assert (rating.score, rating.channel) == (5, "portal")
    assert Case.objects.get().status == CaseStatus.RESOLVED
    assert 'value="5" required aria-describedby="rating-help" checked' in page
    assert AuditRecord.objects.get(action="case.rated").details["channel"] == "portal"


def test_a_rating_without_the_pages_csrf_token_is_refused(stations: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    case = answered_case(stations, client)

    response = client.post("/track/rate/", {"code": case.tracking_code, "score": "5"})

    assert response.status_code == 403
    assert not CaseRating.objects.exists()


@pytest.mark.parametrize("score", ["0", "6", "", "five", "4.5"])
def test_a_score_outside_1_to_5_is_refused_and_changes_nothing(stations: Cast, score: str) -> None:
    client = Client()
    case = answered_case(stations, client)

    page = post_form(client, case, "/track/rate/", score=score)

    assert not CaseRating.objects.exists()
    assert '<li class="error">' in page


def test_an_open_matter_offers_no_rating_and_refuses_one(stations: Cast) -> None:
    client = Client()
    write(client)
    case = Case.objects.get()

    page = track_page(client, case)
    client.post("/track/rate/", {"code": case.tracking_code, "score": "1"})

    assert "/track/rate/" not in page
    assert not CaseRating.objects.exists()


def test_a_wrong_code_rates_nothing_and_counts_as_a_wrong_guess(stations: Cast) -> None:
    response = Client().post("/track/rate/", {"code": "NOTACODE", "score": "1"})

    assert response.status_code == 404
    assert not CaseRating.objects.exists()


def test_a_resident_reopens_a_recent_matter_from_the_tracking_page(stations: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    case = answered_case(stations, client)

    post_form(client, case, "/track/reopen/")

    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED and case.reopened_at is not None
    assert AuditRecord.objects.get(action="case.reopened").details == {"via": "portal"}


def test_a_matter_closed_too_long_ago_cannot_be_reopened(stations: Cast) -> None:
    client = Client()
    case = answered_case(stations, client)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=8))

    page = track_page(client, case)
    client.post("/track/reopen/", {"code": case.tracking_code})

    assert "/track/reopen/" not in page and "/track/rate/" not in page
    assert Case.objects.get().status == CaseStatus.RESOLVED


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_tracking_page_with_both_forms_stays_under_100_kb(
    stations: Cast, language: str
) -> None:
    client = Client(headers={"Accept-Language": language})
    case = answered_case(stations, client)

    html = track_page(client, case)
    weight, _assets = page_weight(html)

    assert "/track/rate/" in html and "/track/reopen/" in html
    assert "<fieldset>" in html and "<legend>" in html
    assert weight < BUDGET_BYTES


def test_ratings_count_only_for_those_who_may_see_the_case(stations: Cast) -> None:
    client = Client()
    case = answered_case(stations, client)
    post_form(client, case, "/track/rate/", score="4")

    mine = satisfaction(ratings_for(stations.officer_a))
    theirs = satisfaction(ratings_for(stations.officer_b))
    page = signed_in(stations.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()

    assert (mine.count, mine.average, mine.satisfied_share) == (1, 4.0, 1.0)
    assert (theirs.count, theirs.average) == (0, None)
    assert satisfaction(ratings_for(stations.inspector)).count == 1
    assert 'class="rating"' in page


def test_two_portal_messages_with_one_contact_number_are_proposed_as_one_resident(
    stations: Cast,
) -> None:
    # The search for duplicates is queued once each form's step has committed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        write(Client(), text="我家门口的下水道井盖不见了，很危险")
    with TestCase.captureOnCommitCallbacks(execute=True):
        write(Client(), text="请问派出所明天上午开门吗", case_type="consultation")

    proposal = DuplicateProposal.objects.get()

    assert proposal.reason == "resident"
    record = AuditRecord.objects.get(action="case.duplicate_proposed")
    assert "13800138000" not in str(record.details)
