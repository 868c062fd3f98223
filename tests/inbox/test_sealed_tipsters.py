"""An anonymous tip's sender is sealed: no screen, list or export shows them but an unsealing.

Only a leader of the case's unit or above may unseal (`units.policy`, Action.UNSEAL); they
type a reason, see the tipster in that one response, and one audit record keeps the
reason's category and length, never who the tipster is.
"""

import json
import logging
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import SEALED_RESIDENT, Case, CaseStatus, Unsealing
from tests.channels.wechat.pushes import push
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes
from tests.inbox.test_case_export import download, export
from tests.portal.conftest import form_fields

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

TIPSTER = "oFAKE_SEALED_TIPSTER_0042"
EARLIER = "你好，我是住在文三路的李红梅，想问问办居住证要带什么？"
TIP = "我要举报，幸福小区5栋地下室每晚有人聚众赌博。"
WHERE_I_STAND = "浙江省杭州市西湖区文三路100号"
REASON = {"category": "verify", "reason": "线索需当面向举报人核实细节"}


@pytest.fixture
def sealed(cast: Cast, account: Account, peer: WeChatPeer) -> Case:
    """A resident who asked a question before, then sent a tip they asked to keep anonymous."""
    earlier = resident_writes(account, peer, TIPSTER, EARLIER)
    Case.objects.filter(pk=earlier.pk).update(status=CaseStatus.CLOSED)
    tip = resident_writes(account, peer, TIPSTER, TIP)
    anna = signed_in(cast.officer_a)
    assert anna.post(f"/inbox/cases/{tip.pk}/type/", {"case_type": "tip"}).status_code == 302
    assert anna.post(f"/inbox/cases/{tip.pk}/seal/").status_code == 302
    tip.refresh_from_db()
    assert tip.tipster_sealed
    return tip


def page(client: Client, case: Case) -> str:
    return client.get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def unseal(client: Client, case: Case, **fields: str) -> "Response":
    return client.post(
        f"/inbox/cases/{case.pk}/unseal/", REASON | fields, HTTP_ACCEPT_LANGUAGE="en"
    )


def shows_the_tipster(text: str) -> bool:
    """Return whether a page or file tells who the tipster is, whole or masked."""
    masked = f"{TIPSTER[:3]}•••{TIPSTER[-2:]}"
    return any(clue in text for clue in (TIPSTER, masked, "李红梅", EARLIER[:8]))


def test_the_case_page_shows_the_tip_but_not_who_sent_it(cast: Cast, sealed: Case) -> None:
    shown = page(signed_in(cast.officer_a), sealed)

    assert "幸福小区" in shown
    assert str(SEALED_RESIDENT) in shown
    assert not shows_the_tipster(shown)
    assert f"/inbox/cases/{sealed.pk}/unseal/" not in shown


def test_the_residents_other_case_leaves_out_the_sealed_tip(cast: Cast, sealed: Case) -> None:
    earlier = Case.objects.exclude(pk=sealed.pk).get(resident=sealed.resident)

    shown = page(signed_in(cast.officer_a), earlier)

    assert "居住证" in shown
    assert "幸福小区" not in shown


def test_the_case_list_never_shows_the_tipster(cast: Cast, sealed: Case) -> None:
    for person in (cast.officer_a, cast.leader, cast.inspector, cast.center_operator):
        listed = signed_in(person).get("/inbox/?list=all", HTTP_ACCEPT_LANGUAGE="en")

        assert listed.status_code == 200
        rows = listed.content.decode().split(sealed.tracking_code, 1)[1].split("</li>", 1)[0]
        assert str(SEALED_RESIDENT) in rows
        assert not shows_the_tipster(rows)


def test_the_case_export_never_shows_the_tipster(cast: Cast, sealed: Case) -> None:
    client = signed_in(cast.leader)

    rows = download(client, export(client))

    # The resident's earlier question is theirs and keeps its row; the tip's row names nobody.
    [row] = [line for line in rows if line[0] == sealed.tracking_code]
    assert str(SEALED_RESIDENT) in row
    assert not shows_the_tipster(json.dumps(row, ensure_ascii=False))


def test_showing_personal_data_whole_still_keeps_the_tipster_sealed(
    cast: Cast, sealed: Case
) -> None:
    whole = signed_in(cast.officer_a).post(f"/inbox/cases/{sealed.pk}/unmask/")

    assert whole.status_code == 200
    assert TIP in whole.content.decode()
    assert not shows_the_tipster(whole.content.decode())


def test_a_shared_location_on_a_sealed_tip_is_not_shown(
    cast: Cast, sealed: Case, account: Account, peer: WeChatPeer
) -> None:
    location = peer.build_location(TIPSTER, 30.2741, 120.1551, 15, WHERE_I_STAND, 90001)
    response, _query = push(Client(), account, peer, location)
    assert response.status_code == 200

    shown = page(signed_in(cast.officer_a), sealed)

    assert sealed.messages.filter(kind="location").exists()
    assert "西湖区" not in shown and "30.2741" not in shown


@pytest.mark.parametrize("who", ["officer_a", "inspector", "center_operator"])
def test_people_who_may_read_the_case_may_not_unseal_it(
    cast: Cast, sealed: Case, who: str
) -> None:
    client = signed_in(getattr(cast, who))

    refused = unseal(client, sealed)

    assert refused.status_code == 403
    assert not shows_the_tipster(refused.content.decode())
    assert not AuditRecord.objects.filter(action="case.unsealed").exists()
    assert not Unsealing.objects.exists()


def test_another_station_cannot_even_find_the_sealed_tip(cast: Cast, sealed: Case) -> None:
    response = unseal(signed_in(cast.officer_b), sealed)

    assert response.status_code == 404
    assert not AuditRecord.objects.filter(action="case.unsealed").exists()


@pytest.mark.parametrize(
    "fields", [{"reason": ""}, {"reason": "看看"}, {"category": ""}, {"category": "curious"}]
)
def test_a_leader_must_give_a_reason_to_unseal(
    cast: Cast, sealed: Case, fields: dict[str, str]
) -> None:
    response = unseal(signed_in(cast.leader), sealed, **fields)

    assert response.status_code == 302
    assert not shows_the_tipster(response.content.decode())
    assert not AuditRecord.objects.filter(action="case.unsealed").exists()
    assert not Unsealing.objects.exists()


def test_a_leader_sees_the_tipster_once_for_a_reason_and_it_is_audited_without_identity(
    cast: Cast, sealed: Case, caplog: pytest.LogCaptureFixture
) -> None:
    leader = signed_in(cast.leader)

    with caplog.at_level(logging.DEBUG):
        shown = unseal(leader, sealed)
    later = page(leader, sealed)

    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    assert TIPSTER in shown.content.decode()
    assert "居住证" in shown.content.decode()
    [entry] = AuditRecord.objects.filter(action="case.unsealed")
    assert entry.actor == cast.leader
    assert entry.details["category"] == "verify"
    assert entry.details["reason_length"] == len(REASON["reason"])
    assert not shows_the_tipster(json.dumps(entry.details, ensure_ascii=False))
    assert REASON["reason"] not in json.dumps(entry.details, ensure_ascii=False)
    assert TIPSTER not in caplog.text and REASON["reason"] not in caplog.text
    assert not shows_the_tipster(later)
    assert REASON["reason"] in later  # the reason stays with the case, for its leaders


def test_unsealing_needs_a_post_so_a_link_or_a_prefetch_cannot_do_it(
    cast: Cast, sealed: Case
) -> None:
    response = signed_in(cast.leader).get(f"/inbox/cases/{sealed.pk}/unseal/")

    assert response.status_code == 405
    assert not AuditRecord.objects.filter(action="case.unsealed").exists()


def test_an_inspector_cannot_seal_a_tip_and_only_tips_are_sealed(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oFAKE_SEAL_ASK", "请问派出所周六上班吗？")
    Case.objects.filter(pk=case.pk).update(case_type="consultation")

    signed_in(cast.inspector).post(f"/inbox/cases/{case.pk}/seal/")
    signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/seal/")

    case.refresh_from_db()
    assert not case.tipster_sealed
    assert not AuditRecord.objects.filter(action="case.sealed").exists()


def test_an_anonymous_portal_tip_arrives_sealed_with_its_place_sealed_too(cast: Cast) -> None:
    # Residents can write to a station that gives the public a phone number.
    cast.station_a.contact_phone = "0571-87000000"
    cast.station_a.save()
    fields = form_fields(case_type="tip", anonymous="on", place="文三路100号", text=TIP)
    assert Client().post("/write/", fields).status_code == 200
    case = Case.objects.get()

    shown = page(signed_in(cast.officer_a), case)
    unsealed = unseal(signed_in(cast.leader), case).content.decode()

    assert case.tipster_sealed
    assert AuditRecord.objects.get(action="case.sealed").details == {"via": "resident"}
    assert "幸福小区" in shown and "文三路" not in shown
    assert "文三路100号" in unsealed
