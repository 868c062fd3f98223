"""Two officers on one case: the page says who else has opened it in the last minutes."""

from datetime import timedelta

import pytest

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case
from beatdesk.inbox.presence import others_reading
from beatdesk.units.models import User
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes


@pytest.fixture
def case(account: Account, peer: WeChatPeer) -> Case:
    return resident_writes(account, peer, "oLOOK", "小区门口的路灯坏了一个星期了")


def page_of(user: User, case: Case, *, refresh: bool = False) -> str:
    """Open the case page as the user, or only its readers' refresh as htmx asks for it."""
    headers = {"HX-Request": "true"} if refresh else {}
    client = signed_in(user)
    response = client.get(f"/inbox/cases/{case.pk}/", headers=headers, HTTP_ACCEPT_LANGUAGE="en")
    return response.content.decode()


def test_the_leader_is_told_that_officer_anna_is_also_looking(cast: Cast, case: Case) -> None:
    page_of(cast.officer_a, case)

    page = page_of(cast.leader, case)

    assert "Officer Anna is also looking at this case." in page
    assert "Leader Li is also looking" not in page


def test_the_warning_refreshes_without_counting_as_a_reading(cast: Cast, case: Case) -> None:
    page_of(cast.officer_a, case)
    readings = AuditRecord.objects.filter(action="case.viewed").count()
    page_of(cast.leader, case)

    partial = page_of(cast.officer_a, case, refresh=True)

    assert "Leader Li is also looking at this case." in partial
    assert "<html" not in partial and "小区门口" not in partial
    assert AuditRecord.objects.filter(action="case.viewed").count() == readings + 1


def test_a_reading_older_than_five_minutes_no_longer_warns(cast: Cast, case: Case) -> None:
    page_of(cast.officer_a, case)
    read_at = AuditRecord.objects.get(action="case.viewed").at

    # Audit records are append-only, so the clock moves forward instead of the record back.
    assert others_reading(case, cast.leader, now=read_at + timedelta(minutes=4)) == [
        cast.officer_a
    ]
    assert others_reading(case, cast.leader, now=read_at + timedelta(minutes=6)) == []


def test_the_readers_refresh_is_404_outside_the_users_units(cast: Cast, case: Case) -> None:
    for user in (cast.officer_b, cast.outsider):
        response = signed_in(user).get(f"/inbox/cases/{case.pk}/", HTTP_HX_REQUEST="true")
        assert response.status_code == 404
