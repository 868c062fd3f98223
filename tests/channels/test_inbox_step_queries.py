"""The inbox step runs a fixed, small number of queries per push, whatever came before it.

The worker shares two cores with the webhooks, and on SQLite its transaction holds the one
write lock they need; every query it saves is time given back to the acknowledgement. The
bounds below are today's counts: a change that adds a query fails here and must say why.
Savepoints count, because each is a round trip; the test's own transaction turns the
step's outer transaction into one more savepoint, which production does not pay.
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huey.api import Huey

from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery
from beatdesk.channels.onebot.peer import OneBotPeer, at, text
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, Direction, Message
from beatdesk.portal.actions import do_store_submission, portal_account_for
from beatdesk.portal.adapter import process_delivery
from beatdesk.portal.submissions import Submission
from tests.channels.conftest import run_queued
from tests.channels.onebot.events import post
from tests.channels.wechat.pushes import push
from tests.conftest import BOT_QQ, Cast

# A first message: resident, case, tracking code, three audit records, type, deadline,
# knowledge proposals, the automatic answer, its outbox row and the sending window; the
# resident's earlier cases (reopening within its period, or the case this one follows:
# 3), the installed holiday notices (read at most every five minutes), and the search for
# open cases of the same matter (4: its savepoint, the proposals already decided, the
# unit's open cases).
MOST_QUERIES_OPENING_A_CASE = 52
# A group message opens a case the same way, less the tracking-code answer's window.
MOST_QUERIES_OPENING_A_GROUP_CASE = 47
# A later message of the same resident: it joins the open case (17), and the search for
# the same matter runs again on its words (4).
MOST_QUERIES_JOINING_A_CASE = 21
# The portal answers on its page and keeps no sending window.
MOST_QUERIES_OPENING_A_PORTAL_CASE = 39

ANNA = "oFAKE_A"


def queries_of_the_next_step(queue: Huey) -> int:
    """Run the one queued inbox step and return how many queries it made."""
    with CaptureQueriesContext(connection) as captured:
        assert run_queued(queue) == 1
    return len(captured.captured_queries)


def wechat_text(
    client: Client, account: Account, peer: WeChatPeer, words: str, number: int
) -> None:
    response, _query = push(client, account, peer, peer.build_text(ANNA, words, msg_id=number))
    assert response.status_code == 200


def test_a_wechat_text_that_opens_a_case_stays_within_its_query_count(
    account: Account, peer: WeChatPeer, held_queue: Huey
) -> None:
    wechat_text(Client(), account, peer, "请问户口迁移要带什么材料", 6001)

    assert queries_of_the_next_step(held_queue) <= MOST_QUERIES_OPENING_A_CASE
    assert Case.objects.count() == 1


def test_a_wechat_text_that_joins_an_open_case_stays_within_its_query_count(
    account: Account, peer: WeChatPeer, held_queue: Huey
) -> None:
    client = Client()
    wechat_text(client, account, peer, "你好，我的电动车昨晚在小区楼下被偷了", 6011)
    run_queued(held_queue)

    wechat_text(client, account, peer, "车是蓝色的，车牌我记不清了", 6012)

    assert queries_of_the_next_step(held_queue) <= MOST_QUERIES_JOINING_A_CASE
    [case] = Case.objects.all()
    assert case.messages.filter(direction=Direction.INBOUND).count() == 2


def test_the_tenth_message_costs_no_more_than_the_second(
    account: Account, peer: WeChatPeer, held_queue: Huey
) -> None:
    client = Client()
    wechat_text(client, account, peer, "你好，我的电动车昨晚在小区楼下被偷了", 6020)
    run_queued(held_queue)
    counts = []
    for number in range(6021, 6030):
        wechat_text(client, account, peer, f"补充一下情况，第{number - 6020}条", number)
        counts.append(queries_of_the_next_step(held_queue))

    assert max(counts) == counts[0] <= MOST_QUERIES_JOINING_A_CASE
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 10


def test_a_onebot_group_message_to_the_police_stays_within_its_query_counts(
    onebot_account: Account, onebot_peer: OneBotPeer, held_queue: Huey
) -> None:
    client = Client()
    asking = onebot_peer.group_message(10001, [at(BOT_QQ), text(" 小区门口的路灯坏了好几天")])
    post(client, onebot_account, onebot_peer, asking)
    opening = queries_of_the_next_step(held_queue)

    more = onebot_peer.group_message(10001, [at(BOT_QQ), text(" 就在三号门那边")])
    post(client, onebot_account, onebot_peer, more)
    joining = queries_of_the_next_step(held_queue)

    assert opening <= MOST_QUERIES_OPENING_A_GROUP_CASE
    assert joining <= MOST_QUERIES_JOINING_A_CASE
    assert Case.objects.count() == 1


def test_a_portal_form_stays_within_its_query_count(cast: Cast) -> None:
    cast.station_a.contact_phone = "0571-87000000"
    cast.station_a.save()
    account = portal_account_for(cast.station_a)
    submission = Submission("web", "help", "门口的井盖不见了，晚上很危险。", timezone.now())
    stored = do_store_submission(account, "form-nonce-6100", submission, [])

    with CaptureQueriesContext(connection) as captured:
        process_delivery(stored.delivery)

    assert len(captured.captured_queries) <= MOST_QUERIES_OPENING_A_PORTAL_CASE
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert Case.objects.count() == 1
