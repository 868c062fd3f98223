"""A QQ bot resident in danger is answered through the API at once, and the case opens
before any other push waiting for the worker."""

import json

from django.test import Client
from huey.api import Huey

from beatdesk.channels import outbox
from beatdesk.channels.models import (
    Account,
    DeliveryStatus,
    InboundDelivery,
    OutboxMessage,
    OutboxStatus,
)
from beatdesk.channels.qqbot.fake_api import FakeQQBotAPI
from beatdesk.channels.qqbot.peer import QQBotPeer
from beatdesk.inbox.models import Case, Priority
from tests.channels.conftest import queue_down, run_queued
from tests.channels.qqbot.conftest import GROUP, RESIDENT_A, RESIDENT_B
from tests.channels.qqbot.events import post

DANGER = "救命！有人拿着刀在我家楼下砍人，现在还在追，快来！"


def test_the_110_answer_goes_out_as_a_reply_to_the_message_and_the_case_opens_first(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI, held_queue: Huey
) -> None:
    calm = qqbot_peer.c2c_message(RESIDENT_B, "请问办理居住证需要什么材料")
    envelope = qqbot_peer.c2c_message(RESIDENT_A, DANGER)
    fake_qqbot.saw(calm)
    fake_qqbot.saw(envelope)
    post(Client(), qqbot_account, qqbot_peer, calm)

    assert post(Client(), qqbot_account, qqbot_peer, envelope).status_code == 200

    # The 110 answer was written before the acknowledgement; the case waits for no other push.
    assert not Case.objects.exists()
    first = held_queue.dequeue()
    assert first is not None
    held_queue.execute(first)
    assert Case.objects.get().priority == Priority.EMERGENCY
    delivery = InboundDelivery.objects.get(status=DeliveryStatus.PROCESSED)
    outbox.relay_due()
    sent = fake_qqbot.sent[0]
    assert (sent.msg_id, sent.msg_seq) == (envelope["d"]["id"], 1)
    assert sent.content == delivery.emergency_answer
    assert "请立即拨打110" in sent.content


def test_the_worker_raises_the_emergency_and_sends_only_the_tracking_code_after_it(
    qqbot_account: Account, qqbot_peer: QQBotPeer, fake_qqbot: FakeQQBotAPI, held_queue: Huey
) -> None:
    envelope = qqbot_peer.group_at_message(GROUP, RESIDENT_A, DANGER)
    fake_qqbot.saw(envelope)
    post(Client(), qqbot_account, qqbot_peer, envelope)
    outbox.relay_due()

    run_queued(held_queue)
    outbox.relay_due()

    case = Case.objects.get()
    assert case.priority == Priority.EMERGENCY
    emergency, automatic = fake_qqbot.sent
    assert "请立即拨打110" in emergency.content
    assert case.tracking_code in automatic.content
    assert (
        emergency.content.removeprefix(f"【{qqbot_account.unit.name}】") not in automatic.content
    )
    # Both name the resident's message, each with its own sequence number.
    assert {emergency.msg_id, automatic.msg_id} == {envelope["d"]["id"]}
    assert (emergency.msg_seq, automatic.msg_seq) == (1, 2)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_an_emergency_is_handled_in_the_request_when_the_queue_is_down(
    qqbot_account: Account, qqbot_peer: QQBotPeer, held_queue: Huey
) -> None:
    with queue_down(held_queue):
        envelope = qqbot_peer.c2c_message(RESIDENT_A, DANGER)
        response = post(Client(), qqbot_account, qqbot_peer, envelope)

    assert json.loads(response.content) == {"op": 12}
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert Case.objects.get().priority == Priority.EMERGENCY
    answer = OutboxMessage.objects.get(idempotency_key=f"emergency-answer:{delivery.pk}")
    assert answer.status == OutboxStatus.PENDING
