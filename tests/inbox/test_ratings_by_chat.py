"""Residents rate an answered case by replying with a digit, on every private chat we run.

Each channel is driven through its real webhook with its own wire format; the officer
answers and resolves through the case page.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account, OutboxMessage
from beatdesk.channels.onebot.peer import OneBotPeer, at, text
from beatdesk.channels.qqbot.peer import QQBotPeer
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.channels.weibo.peer import WeiboPushPeer
from beatdesk.inbox.models import Case, CaseRating, CaseStatus, Message
from beatdesk.inbox.ratings import rating_invitation, thanks_for_rating
from tests.channels.onebot.events import post as post_onebot
from tests.channels.qqbot.conftest import QQBOT_APP_ID, QQBOT_SECRET, make_qqbot_account
from tests.channels.qqbot.events import post as post_qqbot
from tests.channels.wechat.pushes import push as push_wechat
from tests.channels.weibo.conftest import (
    ACCOUNT_UID,
    WEIBO_APP_SECRET,
    make_weibo_account,
)
from tests.channels.weibo.test_push import push as push_weibo
from tests.conftest import BOT_QQ, Cast, make_onebot_account, signed_in
from tests.inbox.helpers import verify_if_needed

REPORT = "我的电动车昨晚在小区里被偷了，车是蓝色的"
ANSWER = "已经调取小区监控，找到车后会通知您。"
QQ_RESIDENT = "A0000000000000000000000000010001"
WEIBO_RESIDENT = 6000000001


def resolve_with_answer(cast: Cast, case: Case) -> OutboxMessage:
    verify_if_needed(cast.officer_a, case)
    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/answer/", {"text": ANSWER, "resolve": "on"}
    )
    assert response.status_code == 302
    return OutboxMessage.objects.get(message__author=cast.officer_a)


def thanks_sent() -> list[OutboxMessage]:
    rows = OutboxMessage.objects.filter(idempotency_key__startswith="auto-reply:")
    return [row for row in rows if row.payload["text"] == thanks_for_rating()]


class WeChat:
    def __init__(self, account: Account, peer: WeChatPeer) -> None:
        self.account, self.peer, self.msg_id = account, peer, 5000

    def write(self, text: str, openid: str = "oRATE1") -> None:
        self.msg_id += 1
        xml = self.peer.build_text(openid, text, self.msg_id)
        assert push_wechat(Client(), self.account, self.peer, xml)[0].status_code == 200


def test_a_wechat_resident_rates_the_answer_with_a_bare_digit_and_the_case_stays_closed(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    chat = WeChat(account, peer)
    chat.write(REPORT)
    case = Case.objects.get()
    answer = resolve_with_answer(cast, case)

    chat.write("4")

    case.refresh_from_db()
    assert str(answer.payload["text"]).endswith("\n" + rating_invitation())
    assert CaseRating.objects.get(case=case).score == 4
    assert case.status == CaseStatus.RESOLVED
    assert Case.objects.count() == 1
    assert [m.text for m in Message.objects.filter(case=case, direction="in")][-1] == "4"
    assert len(thanks_sent()) == 1
    record = AuditRecord.objects.get(action="case.rated")
    assert record.details == {"score": 4, "previous": None, "channel": "chat"}


def test_a_later_rating_in_the_window_replaces_the_first_and_both_are_audited(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    chat = WeChat(account, peer)
    chat.write(REPORT)
    case = Case.objects.get()
    resolve_with_answer(cast, case)

    chat.write("2")
    chat.write("评价 ５")

    rating = CaseRating.objects.get(case=case)
    assert (rating.score, rating.times_rated) == (5, 2)
    scores = AuditRecord.objects.filter(action="case.rated").order_by("sequence")
    assert [(r.details["score"], r.details["previous"]) for r in scores] == [(2, None), (5, 2)]


def test_a_digit_after_the_rating_window_is_an_ordinary_message(
    cast: Cast, account: Account, peer: WeChatPeer, settings: object
) -> None:
    settings.REOPEN_PERIOD_DAYS = 30  # type: ignore[attr-defined]
    chat = WeChat(account, peer)
    chat.write(REPORT)
    case = Case.objects.get()
    resolve_with_answer(cast, case)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=8))

    chat.write("3")

    case.refresh_from_db()
    assert not CaseRating.objects.exists()
    assert case.status == CaseStatus.REOPENED


def test_a_digit_while_the_case_is_open_answers_the_officer_and_rates_nothing(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    chat = WeChat(account, peer)
    chat.write(REPORT)
    signed_in(cast.officer_a).post(
        f"/inbox/cases/{Case.objects.get().pk}/answer/", {"text": "车停在几号楼？"}
    )

    chat.write("5")

    assert not CaseRating.objects.exists()
    assert "5" in [m.text for m in Message.objects.filter(case=Case.objects.get())]


def test_a_onebot_private_chat_takes_a_rating_and_a_group_chat_does_not(
    cast: Cast, onebot_peer: OneBotPeer
) -> None:
    account = make_onebot_account(cast.station_a)
    post_onebot(Client(), account, onebot_peer, onebot_peer.private_message(10001, REPORT))
    private = Case.objects.get(resident__external_id="private:10001")
    answer = resolve_with_answer(cast, private)

    post_onebot(Client(), account, onebot_peer, onebot_peer.private_message(10001, "5分"))

    assert rating_invitation() in str(answer.payload["text"])
    assert CaseRating.objects.get(case=private).score == 5
    assert Case.objects.count() == 1


def test_a_onebot_group_answer_carries_no_invitation(cast: Cast, onebot_peer: OneBotPeer) -> None:
    account = make_onebot_account(cast.station_a)
    mention = onebot_peer.group_message(10002, [at(BOT_QQ), text(" " + REPORT)])
    post_onebot(Client(), account, onebot_peer, mention)
    case = Case.objects.get(resident__external_id="group:20001:10002")

    answer = resolve_with_answer(cast, case)

    assert rating_invitation() not in str(answer.payload["text"])


def test_a_qq_bot_private_chat_takes_a_rating(cast: Cast) -> None:
    account = make_qqbot_account(cast.station_a)
    peer = QQBotPeer(QQBOT_APP_ID, QQBOT_SECRET)
    post_qqbot(Client(), account, peer, peer.c2c_message(QQ_RESIDENT, REPORT))
    case = Case.objects.get()
    resolve_with_answer(cast, case)

    post_qqbot(Client(), account, peer, peer.c2c_message(QQ_RESIDENT, "评分：3"))

    assert CaseRating.objects.get(case=case).score == 3
    assert len(thanks_sent()) == 1
    assert Case.objects.get().status == CaseStatus.RESOLVED


def test_a_weibo_private_message_takes_a_rating(cast: Cast) -> None:
    account = make_weibo_account(cast.station_a)
    peer = WeiboPushPeer(WEIBO_APP_SECRET, ACCOUNT_UID)
    push_weibo(account, peer, peer.text(WEIBO_RESIDENT, REPORT))
    case = Case.objects.get()
    answer = resolve_with_answer(cast, case)

    push_weibo(account, peer, peer.text(WEIBO_RESIDENT, "1"))

    assert rating_invitation() in str(answer.payload["text"])
    assert CaseRating.objects.get(case=case).score == 1


@pytest.mark.parametrize("text", ["6", "0", "45", "4 很好但是还有问题", "评价"])
def test_anything_but_one_digit_from_1_to_5_reopens_the_case_instead_of_rating_it(
    cast: Cast, account: Account, peer: WeChatPeer, text: str
) -> None:
    chat = WeChat(account, peer)
    chat.write(REPORT)
    case = Case.objects.get()
    resolve_with_answer(cast, case)

    chat.write(text)

    case.refresh_from_db()
    assert not CaseRating.objects.exists()
    assert case.status == CaseStatus.REOPENED


def test_a_long_closing_answer_goes_out_without_the_invitation(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    WeChat(account, peer).write(REPORT)
    case = Case.objects.get()
    long_answer = "您好，" + "我们已经安排社区民警上门核实情况并调取周边监控。" * 12
    verify_if_needed(cast.officer_a, case)

    signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/answer/", {"text": long_answer, "resolve": "on"}
    )

    sent = OutboxMessage.objects.get(message__author=cast.officer_a)
    assert sent.payload["text"] == long_answer
