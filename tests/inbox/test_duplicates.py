"""Open cases of one unit that look like the same matter are proposed for merging."""

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.channels import outbox
from beatdesk.channels.models import Account, OutboxMessage
from beatdesk.channels.onebot.peer import OneBotPeer
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.duplicates import shingles, similarity
from beatdesk.inbox.models import (
    Case,
    CaseStatus,
    DuplicateProposal,
    Message,
    ProposalStatus,
    Resident,
)
from beatdesk.inbox.reporters import merged_reporters
from tests.channels.onebot.events import post as post_onebot
from tests.channels.wechat.pushes import push
from tests.conftest import Cast, make_onebot_account, signed_in
from tests.inbox.helpers import resident_writes as writes_uncommitted

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

NOISE = "幸福小区3号楼楼下的烧烤摊每天开到凌晨两点，油烟和噪音让人没法睡觉"
NOISE_AGAIN = "幸福小区3号楼楼下烧烤摊每天开到凌晨两点，油烟噪音让人没法睡觉！！"
OTHER = "我的身份证昨天在公交车上丢了，补办需要带什么材料"


@pytest.fixture(autouse=True)
def wechat_api(fake_wechat: FakeWeChatAPI) -> FakeWeChatAPI:
    """What runs after each push's commit also sends the automatic answers: to the fake."""
    return fake_wechat


def committed[Result](step: Callable[[], Result]) -> Result:
    """Run a push and then what waits for its commit, as a worker's step does."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return step()


def resident_writes(account: Account, peer: WeChatPeer, openid: str, text: str) -> Case:
    return committed(lambda: writes_uncommitted(account, peer, openid, text))


def two_alike_cases(account: Account, peer: WeChatPeer) -> tuple[Case, Case]:
    first = resident_writes(account, peer, "oDUP1", NOISE)
    second = resident_writes(account, peer, "oDUP2", NOISE_AGAIN)
    return first, second


def test_nearly_the_same_words_from_two_residents_are_proposed_on_the_newer_case(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first, second = two_alike_cases(account, peer)

    proposal = DuplicateProposal.objects.get()
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{second.pk}/").content.decode()

    assert (proposal.case_id, proposal.other_id, proposal.reason) == (second.pk, first.pk, "text")
    assert proposal.measure is not None and proposal.measure >= 0.6
    assert first.tracking_code in page and f"/duplicates/{proposal.pk}/merge/" in page
    assert AuditRecord.objects.filter(action="case.duplicate_proposed").count() == 1


def test_the_search_waits_until_the_step_has_committed(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first = resident_writes(account, peer, "oDUP1", NOISE)
    with TestCase.captureOnCommitCallbacks(execute=False) as waiting:
        second = writes_uncommitted(account, peer, "oDUP2", NOISE_AGAIN)
    proposed_inside_the_step = DuplicateProposal.objects.exists()

    for callback in waiting:
        callback()

    assert not proposed_inside_the_step
    assert DuplicateProposal.objects.get().other_id == first.pk
    assert DuplicateProposal.objects.get().case_id == second.pk


def test_a_case_closed_before_the_search_runs_gets_no_proposal(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    resident_writes(account, peer, "oDUP1", NOISE)
    with TestCase.captureOnCommitCallbacks(execute=False) as waiting:
        second = writes_uncommitted(account, peer, "oDUP2", NOISE_AGAIN)
    Case.objects.filter(pk=second.pk).update(status=CaseStatus.CLOSED)

    for callback in waiting:
        callback()

    assert not DuplicateProposal.objects.exists()


def test_different_or_short_texts_are_not_proposed(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    resident_writes(account, peer, "oDUP3", NOISE)
    resident_writes(account, peer, "oDUP4", OTHER)
    resident_writes(account, peer, "oDUP5", "在吗")
    resident_writes(account, peer, "oDUP6", "在吗")

    assert not DuplicateProposal.objects.exists()


def test_shingle_similarity_ignores_punctuation_width_and_case() -> None:
    assert similarity(shingles("ＡＢＣ路１２号，着火了！"), shingles("abc路12号着火了")) == 1.0
    assert similarity(shingles(NOISE), shingles(OTHER)) < 0.1


def test_two_locations_within_metres_and_hours_are_proposed_as_the_same_place(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    for number, (openid, lat, lon) in enumerate(
        [("oDUP7", 30.27415, 120.15515), ("oDUP8", 30.27460, 120.15560)]
    ):
        xml = peer.build_location(openid, lat, lon, 15, "幸福小区", 7100 + number)
        response, _query = committed(partial(push, Client(), account, peer, xml))
        assert response.status_code == 200

    proposal = DuplicateProposal.objects.get()

    assert proposal.reason == "place"
    assert proposal.measure is not None and proposal.measure < 100


def test_the_same_person_on_another_channel_is_proposed_where_they_are_linked(
    cast: Cast, account: Account, peer: WeChatPeer, onebot_peer: OneBotPeer
) -> None:
    wechat_case = resident_writes(account, peer, "oDUP9", NOISE)
    Resident.objects.filter(pk=wechat_case.resident_id).update(person_key="person-1")
    qq = make_onebot_account(cast.station_a)
    Resident.objects.create(account=qq, external_id="private:10001", person_key="person-1")

    message = onebot_peer.private_message(10001, "我昨天反映的事")
    committed(lambda: post_onebot(Client(), qq, onebot_peer, message))

    proposal = DuplicateProposal.objects.get()
    assert (proposal.other_id, proposal.reason) == (wechat_case.pk, "resident")


def test_merging_moves_the_messages_and_closes_the_other_case_as_merged(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first, second = two_alike_cases(account, peer)
    proposal = DuplicateProposal.objects.get()

    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/merge/", {"keep": first.pk}
    )

    second.refresh_from_db()
    proposal.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/inbox/cases/{first.pk}/"
    assert (second.status, second.merged_into_id) == (CaseStatus.CLOSED, first.pk)
    assert not Message.objects.filter(case=second).exists()
    assert Message.objects.filter(case=first, direction="in").count() == 2
    assert proposal.status == ProposalStatus.MERGED and proposal.decided_by == cast.officer_a
    assert AuditRecord.objects.get(action="case.merged").details == {"merged": second.pk}
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{first.pk}/").content.decode()
    assert "油烟噪音让人没法睡觉" in page and second.tracking_code in page


def test_merging_cases_of_two_units_is_refused_and_changes_nothing(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first, second = two_alike_cases(account, peer)
    proposal = DuplicateProposal.objects.get()
    Case.objects.filter(pk=first.pk).update(unit=cast.station_b)

    signed_in(cast.leader).post(
        f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/merge/", {"keep": first.pk}
    )

    second.refresh_from_db()
    assert second.is_open and second.merged_into_id is None
    assert Message.objects.filter(case=second).count() >= 1
    assert DuplicateProposal.objects.get().status == ProposalStatus.OPEN
    assert not AuditRecord.objects.filter(action="case.merged").exists()


def test_an_officer_of_another_station_finds_no_such_proposal(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    _first, second = two_alike_cases(account, peer)
    proposal = DuplicateProposal.objects.get()

    response = signed_in(cast.officer_b).post(
        f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/dismiss/"
    )

    assert response.status_code == 404
    assert DuplicateProposal.objects.get().status == ProposalStatus.OPEN


def test_an_inspector_sees_the_proposal_but_cannot_merge(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first, second = two_alike_cases(account, peer)
    proposal = DuplicateProposal.objects.get()
    client = signed_in(cast.inspector)

    page = client.get(f"/inbox/cases/{second.pk}/").content.decode()
    client.post(f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/merge/", {"keep": first.pk})

    assert first.tracking_code in page and "/merge/" not in page
    assert Case.objects.get(pk=second.pk).merged_into_id is None


def test_a_dismissed_proposal_is_not_made_again(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    _first, second = two_alike_cases(account, peer)
    proposal = DuplicateProposal.objects.get()

    signed_in(cast.officer_a).post(f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/dismiss/")
    resident_writes(account, peer, "oDUP2", NOISE)

    assert DuplicateProposal.objects.get().status == ProposalStatus.DISMISSED
    assert AuditRecord.objects.filter(action="case.duplicate_dismissed").count() == 1


def test_a_resident_of_a_merged_case_writing_again_joins_the_kept_case(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first, second = two_alike_cases(account, peer)
    proposal = DuplicateProposal.objects.get()
    signed_in(cast.officer_a).post(
        f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/merge/", {"keep": first.pk}
    )

    resident_writes(account, peer, "oDUP2", "今晚又开始了")

    latest = Message.objects.filter(direction="in").latest("id")
    assert latest.case_id == first.pk
    assert Case.objects.count() == 2


def test_a_flood_of_one_text_gives_each_message_only_its_few_best_matches(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    cases = [resident_writes(account, peer, f"oFLOOD{n}", NOISE) for n in range(6)]

    assert DuplicateProposal.objects.filter(case=cases[-1]).count() == 3


def merged_pair(cast: Cast, account: Account, peer: WeChatPeer) -> tuple[Case, Case]:
    """Two residents' alike cases, the second merged into the first by officer A."""
    first, second = two_alike_cases(account, peer)
    proposal = DuplicateProposal.objects.get()
    signed_in(cast.officer_a).post(
        f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/merge/", {"keep": first.pk}
    )
    return first, second


def answer(cast: Cast, case: Case, text: str, **fields: str) -> "Response":
    return signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/answer/", {"text": text, **fields}
    )


SHARED_ANSWER = "烧烤摊已经责令整改，今晚起不再营业到深夜，谢谢您的反映。"


@pytest.fixture
def chatting(wechat_api: FakeWeChatAPI) -> FakeWeChatAPI:
    """Both residents wrote lately, so WeChat lets the account write back to them."""
    for openid in ("oDUP1", "oDUP2"):
        wechat_api.note_user_message(openid)
    return wechat_api


def test_the_resident_of_a_merged_case_is_told_their_report_is_handled_with_another(
    cast: Cast, account: Account, peer: WeChatPeer, chatting: FakeWeChatAPI
) -> None:
    wechat_api = chatting
    first, second = two_alike_cases(account, peer)
    outbox.relay_all_due()
    told_before = {openid: len(wechat_api.sent_texts(openid)) for openid in ("oDUP1", "oDUP2")}
    proposal = DuplicateProposal.objects.get()

    signed_in(cast.officer_a).post(
        f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/merge/", {"keep": first.pk}
    )
    outbox.relay_all_due()

    notices = wechat_api.sent_texts("oDUP2")[told_before["oDUP2"] :]
    assert len(notices) == 1
    assert second.tracking_code in notices[0] and first.tracking_code not in notices[0]
    assert "烧烤" not in notices[0]
    assert len(wechat_api.sent_texts("oDUP1")) == told_before["oDUP1"]


def test_an_answer_ticked_for_merged_reports_reaches_their_residents_too(
    cast: Cast, account: Account, peer: WeChatPeer, chatting: FakeWeChatAPI
) -> None:
    wechat_api = chatting
    first, _second = merged_pair(cast, account, peer)
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{first.pk}/").content.decode()

    response = answer(cast, first, SHARED_ANSWER, to_merged="on", resolve="on")
    outbox.relay_all_due()

    assert 'name="to_merged" id="id_to_merged" checked' in page
    assert response.status_code == 302
    assert wechat_api.sent_texts("oDUP2")[-1] == SHARED_ANSWER
    # The case's own resident gets the invitation to rate; the other resident rates nothing.
    assert wechat_api.sent_texts("oDUP1")[-1].startswith(SHARED_ANSWER)
    assert wechat_api.sent_texts("oDUP1")[-1] != SHARED_ANSWER
    answers = Message.objects.filter(author=cast.officer_a).order_by("pk")
    assert [m.case_id for m in answers] == [first.pk, first.pk]
    records = AuditRecord.objects.filter(action="case.answered").order_by("pk")
    assert [r.details.get("merged_case") for r in records] == [None, _second.pk]


def test_an_answer_not_ticked_for_merged_reports_goes_to_the_case_resident_alone(
    cast: Cast, account: Account, peer: WeChatPeer, chatting: FakeWeChatAPI
) -> None:
    wechat_api = chatting
    first, second = merged_pair(cast, account, peer)
    outbox.relay_all_due()
    told_before = len(wechat_api.sent_texts("oDUP2"))
    unmerged = signed_in(cast.officer_a).get(f"/inbox/cases/{second.pk}/").content.decode()

    answer(cast, first, SHARED_ANSWER)
    outbox.relay_all_due()

    assert wechat_api.sent_texts("oDUP1")[-1] == SHARED_ANSWER
    assert len(wechat_api.sent_texts("oDUP2")) == told_before
    assert 'name="to_merged"' not in unmerged
    assert Message.objects.filter(author=cast.officer_a).count() == 1


@pytest.mark.parametrize(
    "text",
    [
        "请您本人带身份证来所里，联系电话13912345678。",
        "请联系139.1234.5678。",
        "举报人张 三反映的情况已核实。",
        "车牌浙 A 1 2 3 4 5的车已挪走。",
    ],
)
def test_an_answer_with_personal_data_is_not_sent_to_anyone_when_ticked_for_merged_reports(
    cast: Cast, account: Account, peer: WeChatPeer, text: str
) -> None:
    first, _second = merged_pair(cast, account, peer)

    response = answer(cast, first, text, to_merged="on", confirm_findings="on")

    assert response.status_code == 400
    assert "只能发给本案的群众" in response.content.decode()
    assert not Message.objects.filter(author=cast.officer_a).exists()
    assert not OutboxMessage.objects.filter(idempotency_key__startswith="inbox-message:").exists()
    assert not AuditRecord.objects.filter(action="case.answered").exists()


def qq_report_merged_into_wechat(
    cast: Cast, account: Account, peer: WeChatPeer, onebot_peer: OneBotPeer, *, active: bool
) -> tuple[Case, Account]:
    """A WeChat resident and a QQ user (10002) report the same noise; the QQ case is merged
    into the WeChat one, after the QQ account was switched off unless `active`."""
    wechat_case = resident_writes(account, peer, "oDUP1", NOISE)
    qq = make_onebot_account(cast.station_a)
    committed(
        lambda: post_onebot(Client(), qq, onebot_peer, onebot_peer.private_message(10002, NOISE))
    )
    proposal = DuplicateProposal.objects.get()
    qq_case = Case.objects.get(account=qq)
    Account.objects.filter(pk=qq.pk).update(is_active=active)
    signed_in(cast.officer_a).post(
        f"/inbox/cases/{qq_case.pk}/duplicates/{proposal.pk}/merge/", {"keep": wechat_case.pk}
    )
    return wechat_case, qq


def test_an_answer_to_a_merged_report_on_another_channel_goes_out_on_that_channel(
    cast: Cast, account: Account, peer: WeChatPeer, onebot_peer: OneBotPeer
) -> None:
    wechat_case, qq = qq_report_merged_into_wechat(cast, account, peer, onebot_peer, active=True)

    answer(cast, wechat_case, SHARED_ANSWER, to_merged="on")

    answers = OutboxMessage.objects.filter(idempotency_key__startswith="inbox-message:")
    sent = sorted((row.account_id, row.recipient, row.payload["text"]) for row in answers)
    assert sent == [(account.pk, "oDUP1", SHARED_ANSWER), (qq.pk, "private:10002", SHARED_ANSWER)]


def test_the_tracking_page_of_a_merged_case_shows_the_answer_its_resident_was_sent(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first, second = merged_pair(cast, account, peer)
    answer(cast, first, "这是只发给第一位居民的答复。")
    answer(cast, first, SHARED_ANSWER, to_merged="on")

    page = Client().get("/track/", {"code": second.tracking_code}).content.decode()

    assert SHARED_ANSWER in page
    assert "这是只发给第一位居民的答复。" not in page


def chain_of_merges(account: Account, peer: WeChatPeer) -> tuple[Case, Case, Case]:
    """Three residents' cases: the middle one merged into the first, the last into the
    middle one, each closed as the merge closes it."""
    kept = resident_writes(account, peer, "oCHAIN1", "第一件事")
    middle = resident_writes(account, peer, "oCHAIN2", "第二件事")
    last = resident_writes(account, peer, "oCHAIN3", "第三件事")
    closed = {"status": CaseStatus.CLOSED, "closed_at": timezone.now()}
    Case.objects.filter(pk=middle.pk).update(merged_into=kept, **closed)
    Case.objects.filter(pk=last.pk).update(merged_into=middle, **closed)
    Message.objects.filter(case__in=[middle, last]).update(case=kept)
    return kept, middle, last


def test_a_resident_at_the_end_of_a_chain_of_merges_writes_on_to_the_case_that_kept_it(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    kept, _middle, _last = chain_of_merges(account, peer)

    resident_writes(account, peer, "oCHAIN3", "今晚又开始了")

    assert Message.objects.filter(direction="in").latest("id").case_id == kept.pk
    assert Case.objects.count() == 3


def test_the_tracking_page_at_the_end_of_a_chain_of_merges_shows_the_answer_sent_there(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    kept, _middle, last = chain_of_merges(account, peer)

    answer(cast, kept, SHARED_ANSWER, to_merged="on")

    page = Client().get("/track/", {"code": last.tracking_code}).content.decode()
    assert SHARED_ANSWER in page
    assert Message.objects.filter(author=cast.officer_a).count() == 3


def test_the_merged_reporters_of_a_chain_of_merges_are_each_named_once(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    kept = resident_writes(account, peer, "oCHAIN1", "第一件事")
    middle = resident_writes(account, peer, "oCHAIN2", "第二件事")
    last = resident_writes(account, peer, "oCHAIN3", "第三件事")
    again = resident_writes(account, peer, "oCHAIN1", "第一位居民又写了")
    Case.objects.filter(pk=middle.pk).update(merged_into=kept, status=CaseStatus.CLOSED)
    Case.objects.filter(pk=last.pk).update(merged_into=middle, status=CaseStatus.CLOSED)

    reporters = merged_reporters(kept)

    assert [case.pk for case in reporters] == [middle.pk, last.pk]
    assert again.pk == kept.pk


def test_the_kept_case_tracking_page_shows_only_what_its_own_resident_was_sent(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    first, second = two_alike_cases(account, peer)
    answer(cast, second, "这是只发给第二位居民的答复。")
    proposal = DuplicateProposal.objects.get()
    signed_in(cast.officer_a).post(
        f"/inbox/cases/{second.pk}/duplicates/{proposal.pk}/merge/", {"keep": first.pk}
    )
    answer(cast, first, SHARED_ANSWER, to_merged="on")

    page = Client().get("/track/", {"code": first.tracking_code}).content.decode()

    assert page.count(SHARED_ANSWER) == 1
    assert "这是只发给第二位居民的答复。" not in page


def test_a_merged_case_cannot_be_reopened_by_an_officer(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    _first, second = merged_pair(cast, account, peer)

    signed_in(cast.officer_a).post(f"/inbox/cases/{second.pk}/status/", {"status": "reopened"})

    second.refresh_from_db()
    assert second.status == CaseStatus.CLOSED
    assert not AuditRecord.objects.filter(action="case.reopened").exists()


def test_nothing_goes_to_a_merged_resident_through_an_account_switched_off(
    cast: Cast, account: Account, peer: WeChatPeer, onebot_peer: OneBotPeer
) -> None:
    wechat_case, qq = qq_report_merged_into_wechat(cast, account, peer, onebot_peer, active=False)

    answer(cast, wechat_case, SHARED_ANSWER, to_merged="on")

    keys = OutboxMessage.objects.filter(account=qq).values_list("idempotency_key", flat=True)
    assert not [key for key in keys if key.startswith(("inbox-message:", "case-merged:"))]
    assert merged_reporters(wechat_case) == []
