"""A stored event whose request died before the inbox had it is finished by the sweep."""

from datetime import timedelta

from django.utils import timezone

from beatdesk.channels.deliveries import store_delivery
from beatdesk.channels.models import Account, DeliveryStatus, InboundDelivery
from beatdesk.channels.tasks import process_stale_deliveries
from beatdesk.inbox.models import Message
from tests.channels.qqbot.events import fixture


def test_the_sweep_hands_a_stored_but_unprocessed_message_to_the_inbox(
    qqbot_account: Account,
) -> None:
    body = fixture("group_at_message_create")
    stored = store_delivery(qqbot_account, "msg:stranded", body, body.decode())
    long_ago = timezone.now() - timedelta(minutes=5)
    InboundDelivery.objects.filter(pk=stored.delivery.pk).update(received_at=long_ago)

    assert process_stale_deliveries() == 1

    stored.delivery.refresh_from_db()
    assert stored.delivery.status == DeliveryStatus.PROCESSED
    assert Message.objects.get(direction="in").text == "请问小区门口的监控坏了找谁报修？"
