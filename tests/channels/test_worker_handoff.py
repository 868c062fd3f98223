"""The webhook acknowledges once the push is stored; the inbox step runs in the worker."""

import logging
import threading
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from huey.api import Huey

from beatdesk.audit.models import AuditRecord
from beatdesk.channels import outbox
from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery, OutboxMessage
from beatdesk.channels.tasks import process_stale_deliveries, process_waiting_deliveries
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer, fields
from beatdesk.core.writelock import inbox_step
from beatdesk.inbox.models import Case, Direction, Message, Priority
from tests.channels.conftest import queue_down, run_queued
from tests.channels.wechat.pushes import push

ANNA = "oFAKE_A"
BEN = "oFAKE_B"
DANGER = "救命！有人拿着刀在我家楼下砍人，现在还在追，快来！"


def test_the_webhook_answers_before_any_case_exists_and_the_worker_opens_exactly_one(
    account: Account, peer: WeChatPeer, held_queue: Huey
) -> None:
    xml = peer.build_text(ANNA, "你好，我的电动车昨晚被偷了", msg_id=5001)

    response, _query = push(Client(), account, peer, xml)

    assert (response.status_code, response.content) == (200, b"success")
    assert InboundDelivery.objects.get().status == DeliveryStatus.RECEIVED
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()

    assert run_queued(held_queue) == 1

    case, delivery = Case.objects.get(), InboundDelivery.objects.get()
    [answer] = OutboxMessage.objects.all()
    assert (answer.recipient, answer.idempotency_key) == (ANNA, f"auto-reply:{delivery.pk}")
    assert case.tracking_code in answer.payload["text"]
    assert delivery.status == DeliveryStatus.PROCESSED


def test_running_the_inbox_step_again_sends_nothing_twice(
    account: Account, peer: WeChatPeer, held_queue: Huey
) -> None:
    push(Client(), account, peer, peer.build_text(ANNA, "请问户口迁移要带什么", msg_id=5002))
    [task] = [held_queue.dequeue()]
    held_queue.execute(task)

    held_queue.execute(task)
    process_stale_deliveries()

    assert Case.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_a_resident_in_danger_gets_110_at_once_and_their_step_goes_before_the_waiting_pushes(
    account: Account, peer: WeChatPeer, held_queue: Huey, fake_wechat: FakeWeChatAPI
) -> None:
    client = Client()
    push(client, account, peer, peer.build_text(BEN, "请问户口迁移要带什么", msg_id=5010))
    push(client, account, peer, peer.build_text(BEN, "小区门口的路灯坏了", msg_id=5011))
    response, query = push(client, account, peer, peer.build_text(ANNA, DANGER, msg_id=5003))

    reply = peer.open_reply(response.content, query)
    assert reply is not None
    answered = fields(reply)["Content"]
    assert "请立即拨打110" in answered
    assert InboundDelivery.objects.get(delivery_key__endswith="5003").emergency_answer == answered
    # The request held no web worker for the inbox step: the worker takes it first.
    assert not Case.objects.exists()

    first = held_queue.dequeue()
    assert first is not None
    held_queue.execute(first)

    case = Case.objects.get()
    assert case.priority == Priority.EMERGENCY
    assert AuditRecord.objects.filter(action="case.emergency", object_id=str(case.pk)).exists()
    assert InboundDelivery.objects.get(delivery_key__endswith="5003").status == (
        DeliveryStatus.PROCESSED
    )
    assert run_queued(held_queue) >= 2
    fake_wechat.note_user_message(ANNA)
    outbox.relay_due()

    assert Case.objects.get(priority=Priority.EMERGENCY) == case
    [sent] = fake_wechat.sent_texts(ANNA)
    assert case.tracking_code in sent
    assert answered not in sent
    [told] = Message.objects.filter(
        direction=Direction.OUTBOUND, is_automatic=True, resident__external_id=ANNA
    )
    assert told.text.startswith(answered) and case.tracking_code in told.text


def test_an_emergency_step_does_not_wait_for_a_worker_resting_after_its_step(
    account: Account, peer: WeChatPeer, held_queue: Huey
) -> None:
    push(Client(), account, peer, peer.build_text(ANNA, DANGER, msg_id=5005))
    [task] = [held_queue.dequeue()]
    resting, done = threading.Event(), threading.Event()

    def rest() -> None:
        # Another worker thread holds the turn between steps, as while it rests.
        with inbox_step():
            resting.set()
            done.wait(timeout=30)

    other = threading.Thread(target=rest)
    other.start()
    try:
        assert resting.wait(timeout=30)
        held_queue.execute(task)
        assert Case.objects.get().priority == Priority.EMERGENCY
    finally:
        done.set()
        other.join(timeout=30)


def test_an_emergency_the_queue_refuses_is_handled_in_the_request(
    account: Account, peer: WeChatPeer, held_queue: Huey, caplog: pytest.LogCaptureFixture
) -> None:
    with queue_down(held_queue):
        response, query = push(Client(), account, peer, peer.build_text(ANNA, DANGER, msg_id=5006))

    reply = peer.open_reply(response.content, query)
    assert reply is not None and "请立即拨打110" in fields(reply)["Content"]
    assert "emergency not queued, handled in the request" in caplog.text
    assert Case.objects.get().priority == Priority.EMERGENCY
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED


def test_a_push_the_queue_refuses_is_acknowledged_and_finished_by_the_sweep(
    account: Account, peer: WeChatPeer, held_queue: Huey, caplog: pytest.LogCaptureFixture
) -> None:
    with queue_down(held_queue):
        xml = peer.build_text(ANNA, "小区门口的路灯坏了好几天", msg_id=5004)
        response, _query = push(Client(), account, peer, xml)

    assert (response.status_code, response.content) == (200, b"success")
    assert "push not queued" in caplog.text
    assert not Case.objects.exists()

    # The sweep leaves a push alone for its first half minute, while its request may run.
    InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=1))
    assert process_stale_deliveries() == 1

    case = Case.objects.get()
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    [answer] = OutboxMessage.objects.all()
    assert case.tracking_code in answer.payload["text"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]


def test_a_process_without_a_worker_can_hand_every_waiting_push_over_at_once(
    account: Account, peer: WeChatPeer, held_queue: Huey
) -> None:
    client = Client()
    for number in range(3):
        xml = peer.build_text(f"oFAKE_{number}", "请问身份证怎么补办", msg_id=5100 + number)
        push(client, account, peer, xml)

    assert process_waiting_deliveries() == 3

    assert Case.objects.count() == 3
    assert run_queued(held_queue) == 3
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 3
