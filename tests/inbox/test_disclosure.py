"""Residents' personal data is masked on the case page; seeing it whole is a recorded right."""

import pytest
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

pytestmark = pytest.mark.django_db

TIP = "举报人王建国反映，车牌浙A12345的车每晚停在文三路100号3幢，我的电话13800138000"


@pytest.fixture
def case(account: Account, peer: WeChatPeer) -> Case:
    return resident_writes(account, peer, "oFAKE_DISCLOSE", TIP)


def test_the_case_page_masks_numbers_plates_addresses_and_protected_names(
    cast: Cast, case: Case
) -> None:
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()

    assert "13800138000" not in page and "138****8000" in page
    assert "浙A12345" not in page
    assert "王建国" not in page
    assert not AuditRecord.objects.filter(action="case.unmasked").exists()


def test_an_officer_of_the_unit_sees_it_whole_once_and_the_showing_is_recorded(
    cast: Cast, case: Case
) -> None:
    anna = signed_in(cast.officer_a)

    whole = anna.post(f"/inbox/cases/{case.pk}/unmask/", HTTP_ACCEPT_LANGUAGE="en")
    later = anna.get(f"/inbox/cases/{case.pk}/").content.decode()

    assert whole.status_code == 200
    assert "no-store" in whole["Cache-Control"]
    assert TIP in whole.content.decode()
    assert "your viewing is recorded" in whole.content.decode()
    [entry] = AuditRecord.objects.filter(action="case.unmasked")
    assert (entry.actor, entry.object_id) == (cast.officer_a, str(case.pk))
    assert "13800138000" not in later


def test_an_inspector_reads_the_case_masked_and_may_not_unmask_it(cast: Cast, case: Case) -> None:
    ivy = signed_in(cast.inspector)

    page = ivy.get(f"/inbox/cases/{case.pk}/").content.decode()
    refused = ivy.post(f"/inbox/cases/{case.pk}/unmask/")

    assert "138****8000" in page
    assert "unmask/" not in page
    assert refused.status_code == 403
    assert "13800138000" not in refused.content.decode()
    assert not AuditRecord.objects.filter(action="case.unmasked").exists()


def test_another_station_cannot_even_find_the_case_to_unmask(cast: Cast, case: Case) -> None:
    response = signed_in(cast.officer_b).post(f"/inbox/cases/{case.pk}/unmask/")

    assert response.status_code == 404
    assert not AuditRecord.objects.filter(action="case.unmasked").exists()


def test_showing_it_whole_takes_a_post_so_a_link_or_a_prefetch_cannot_do_it(
    cast: Cast, case: Case
) -> None:
    response = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/unmask/")

    assert response.status_code == 405
    assert not AuditRecord.objects.filter(action="case.unmasked").exists()


def test_the_officers_own_answer_is_shown_as_written(cast: Cast, case: Case) -> None:
    anna = signed_in(cast.officer_a)
    answer = {"text": "请拨打派出所电话0571-87654321联系我们", "confirm_findings": "on"}
    assert anna.post(f"/inbox/cases/{case.pk}/answer/", answer).status_code == 302

    page = anna.get(f"/inbox/cases/{case.pk}/").content.decode()

    assert "0571-87654321" in page


def test_nobody_signed_out_gets_anywhere(case: Case) -> None:
    response = Client().post(f"/inbox/cases/{case.pk}/unmask/")

    assert response.status_code == 302
    assert not AuditRecord.objects.filter(action="case.unmasked").exists()
