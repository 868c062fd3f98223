"""The minute sweep finishes pushes whose request died before the inbox had them."""

from datetime import timedelta

from django.utils import timezone

from beatdesk.channels.models import Account, ChannelKind, DeliveryStatus, InboundDelivery
from beatdesk.channels.tasks import process_stale_deliveries
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Message
from tests.conftest import Cast


def stored_but_unprocessed(account: Account, key: str, payload: str) -> InboundDelivery:
    delivery = InboundDelivery.objects.create(
        account=account, delivery_key=key, raw_body=payload.encode(), payload=payload
    )
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        received_at=timezone.now() - timedelta(minutes=5)
    )
    return delivery


def test_it_hands_stale_pushes_to_the_inbox_past_one_that_cannot_be_read(
    account: Account, peer: WeChatPeer
) -> None:
    bad = stored_but_unprocessed(account, "k1", peer.build_text("oFAKE_A", "t", 1, 10**20))
    good = stored_but_unprocessed(account, "k2", peer.build_text("oFAKE_B", "我家被偷了", 2))

    process_stale_deliveries()

    statuses = dict(InboundDelivery.objects.values_list("pk", "status"))
    assert statuses == {bad.pk: DeliveryStatus.UNPARSABLE, good.pk: DeliveryStatus.PROCESSED}
    assert list(Message.objects.filter(direction="in").values_list("text", flat=True)) == [
        "我家被偷了"
    ]


def test_it_leaves_fresh_pushes_to_their_own_request(account: Account, peer: WeChatPeer) -> None:
    payload = peer.build_text("oFAKE_A", "刚到", 3)
    InboundDelivery.objects.create(
        account=account, delivery_key="k3", raw_body=payload.encode(), payload=payload
    )

    assert process_stale_deliveries() == 0


def test_a_portal_account_points_residents_at_the_write_form(cast: Cast) -> None:
    account = Account.objects.create(
        code="portal-station-a", kind=ChannelKind.PORTAL, name="Portal", unit=cast.station_a
    )

    assert account.endpoint == "/write/?station=station-a"
