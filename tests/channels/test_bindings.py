"""An officer binds her own WeChat or QQ for alerts with a one-time code, safely."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.channels import outbox
from beatdesk.channels.bindings import Outcome, binding_reply
from beatdesk.channels.models import (
    Account,
    BindingCode,
    InboundDelivery,
    OutboxMessage,
    StaffBinding,
)
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, Message, Resident
from tests.channels.bindings import (
    ALERT_TEMPLATE,
    bind_qq,
    bind_wechat,
    make_code,
    send_wechat_text,
)
from tests.channels.onebot.events import post
from tests.conftest import Cast, make_wechat_account, signed_in

ANNA_OPENID = "oAnnaOwnPhone0001"


@pytest.fixture
def alert_account(cast: Cast) -> Account:
    return make_wechat_account(cast.station_a, channel_settings=ALERT_TEMPLATE)


def replies_to(recipient: str) -> list[str]:
    rows = OutboxMessage.objects.filter(recipient=recipient).order_by("id")
    return [str(row.payload["text"]) for row in rows]


def assert_nothing_reached_the_inbox() -> None:
    assert not Case.objects.exists()
    assert not Message.objects.exists()
    assert not Resident.objects.exists()


def test_an_officer_binds_her_wechat_by_sending_the_code_from_it(
    cast: Cast, alert_account: Account, peer: WeChatPeer, fake_wechat: FakeWeChatAPI
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA_OPENID)

    binding = StaffBinding.objects.get()
    assert (binding.user, binding.account, binding.external_id) == (
        cast.officer_a,
        alert_account,
        ANNA_OPENID,
    )
    assert BindingCode.objects.get().used_at is not None
    created = AuditRecord.objects.get(action="binding.created")
    assert (created.actor, created.object_id) == (cast.officer_a, str(binding.pk))
    # The command is consumed: kept as the raw push only, no resident, message or case.
    assert_nothing_reached_the_inbox()
    assert InboundDelivery.objects.get().status == "processed"
    # WeChat opened the officer's 48-hour window when she wrote; the fake hears it here.
    fake_wechat.note_user_message(ANNA_OPENID)
    outbox.relay_due()
    assert fake_wechat.sent_texts(ANNA_OPENID) == [binding_reply(Outcome.BOUND)]


def test_an_officer_binds_her_qq_in_a_private_chat_with_the_units_bot(
    cast: Cast, onebot_account: Account, onebot_peer: OneBotPeer, fake_onebot: FakeOneBotAPI
) -> None:
    bind_qq(cast.officer_a, onebot_account, onebot_peer, 10009)

    binding = StaffBinding.objects.get()
    assert (binding.user, binding.external_id) == (cast.officer_a, "private:10009")
    assert_nothing_reached_the_inbox()
    outbox.relay_due()
    (sent,) = fake_onebot.sent
    assert (sent.message_type, sent.target_id) == ("private", "10009")
    assert sent.segments == [{"type": "text", "data": {"text": binding_reply(Outcome.BOUND)}}]


def test_the_code_may_be_typed_in_lower_case_with_a_hyphen(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    code = make_code(cast.officer_a)

    send_wechat_text(alert_account, peer, ANNA_OPENID, f"BIND {code[:4].lower()}-{code[4:]}")

    assert StaffBinding.objects.filter(user=cast.officer_a).exists()


def test_a_wrong_code_binds_nothing_and_uses_nothing(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    make_code(cast.officer_a)

    send_wechat_text(alert_account, peer, ANNA_OPENID, "绑定 AAAA2222")

    assert not StaffBinding.objects.exists()
    assert BindingCode.objects.get().used_at is None
    assert_nothing_reached_the_inbox()
    assert replies_to(ANNA_OPENID) == [binding_reply(Outcome.WRONG_CODE)]


def test_an_expired_code_is_refused(cast: Cast, alert_account: Account, peer: WeChatPeer) -> None:
    code = make_code(cast.officer_a)
    # Eleven minutes pass.
    BindingCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    send_wechat_text(alert_account, peer, ANNA_OPENID, f"绑定 {code}")

    assert not StaffBinding.objects.exists()
    assert replies_to(ANNA_OPENID) == [binding_reply(Outcome.WRONG_CODE)]


def test_a_used_code_cannot_bind_a_second_wechat(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    code = make_code(cast.officer_a)
    send_wechat_text(alert_account, peer, ANNA_OPENID, f"绑定 {code}")

    send_wechat_text(alert_account, peer, "oSomeoneElse0002", f"绑定 {code}")

    assert list(StaffBinding.objects.values_list("external_id", flat=True)) == [ANNA_OPENID]
    assert replies_to("oSomeoneElse0002") == [binding_reply(Outcome.WRONG_CODE)]


def test_a_new_code_retires_the_one_made_before(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    first = make_code(cast.officer_a)
    make_code(cast.officer_a)

    send_wechat_text(alert_account, peer, ANNA_OPENID, f"绑定 {first}")

    assert not StaffBinding.objects.exists()


def test_guessing_stops_after_five_wrong_codes_from_one_sender(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    code = make_code(cast.officer_a)
    for guess in ("AAAA2222", "BBBB3333", "CCCC4444", "DDDD5555", "EEEE6666"):
        send_wechat_text(alert_account, peer, "oGuesser0001", f"绑定 {guess}")

    send_wechat_text(alert_account, peer, "oGuesser0001", f"绑定 {code}")

    assert not StaffBinding.objects.exists()
    assert BindingCode.objects.get().used_at is None
    assert replies_to("oGuesser0001")[-1] == binding_reply(Outcome.TOO_MANY_TRIES)
    # Another phone is not held up by the guesser.
    send_wechat_text(alert_account, peer, ANNA_OPENID, f"绑定 {code}")
    assert StaffBinding.objects.get().external_id == ANNA_OPENID


def test_codes_are_stored_only_as_a_keyed_hash(cast: Cast, alert_account: Account) -> None:
    code = make_code(cast.officer_a)

    stored = BindingCode.objects.get().code_hash
    assert code not in stored
    assert stored != hashlib.sha256(code.encode()).hexdigest()
    assert AuditRecord.objects.filter(action="binding.code_issued", actor=cast.officer_a).exists()


def test_a_code_posted_in_a_qq_group_binds_nothing(
    cast: Cast, onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    code = make_code(cast.officer_a)
    event = onebot_peer.group_message(10009, f"绑定 {code}")

    assert post(Client(), onebot_account, onebot_peer, event).status_code == 204

    assert not StaffBinding.objects.exists()
    assert BindingCode.objects.get().used_at is None


def test_a_code_does_not_bind_on_an_account_of_another_station(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    make_wechat_account(cast.station_b, code="station-b", channel_settings=ALERT_TEMPLATE)
    code = make_code(cast.officer_b)

    send_wechat_text(alert_account, peer, "oBoPhone0001", f"绑定 {code}")

    assert not StaffBinding.objects.exists()
    assert BindingCode.objects.get().used_at is None
    assert replies_to("oBoPhone0001") == [binding_reply(Outcome.NOT_SERVED)]


def test_a_wechat_account_without_an_alert_template_binds_nobody(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    code = make_code(cast.officer_a)

    send_wechat_text(account, peer, ANNA_OPENID, f"绑定 {code}")

    assert not StaffBinding.objects.exists()
    assert replies_to(ANNA_OPENID) == [binding_reply(Outcome.NOT_READY)]
    page = signed_in(cast.officer_a).get("/me/alerts/", HTTP_ACCEPT_LANGUAGE="en")
    assert "an operator must set up its alert template" in page.content.decode()


def test_one_wechat_cannot_be_bound_to_two_officers(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA_OPENID)
    leader_code = make_code(cast.leader)

    send_wechat_text(alert_account, peer, ANNA_OPENID, f"绑定 {leader_code}")

    assert StaffBinding.objects.get().user == cast.officer_a
    assert replies_to(ANNA_OPENID)[-1] == binding_reply(Outcome.TAKEN)


def test_someone_without_a_unit_gets_no_code(cast: Cast, alert_account: Account) -> None:
    response = signed_in(cast.outsider).post("/me/alerts/code/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert not BindingCode.objects.exists()


def test_the_code_page_is_never_cached(cast: Cast, alert_account: Account) -> None:
    response = signed_in(cast.officer_a).post("/me/alerts/code/")

    assert "no-store" in response["Cache-Control"]


def test_the_alerts_page_lists_only_the_officers_own_bindings(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA_OPENID)

    own = signed_in(cast.officer_a).get("/me/alerts/", HTTP_ACCEPT_LANGUAGE="en").content
    other = signed_in(cast.officer_b).get("/me/alerts/", HTTP_ACCEPT_LANGUAGE="en").content

    assert "…0001" in own.decode() and "Receives alerts" in own.decode()
    assert "…0001" not in other.decode()
    # The whole id is the officer's contact: even she is shown only its end.
    assert ANNA_OPENID not in own.decode()


def test_an_officer_removes_her_binding_and_the_removal_is_on_record(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA_OPENID)
    binding = StaffBinding.objects.get()

    response = signed_in(cast.officer_a).post(f"/me/alerts/{binding.pk}/remove/")

    assert response.status_code == 302
    assert not StaffBinding.objects.exists()
    removed = AuditRecord.objects.get(action="binding.removed")
    assert (removed.actor, removed.object_id) == (cast.officer_a, str(binding.pk))


def test_nobody_else_can_remove_a_binding(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA_OPENID)
    binding = StaffBinding.objects.get()

    for user in (cast.officer_b, cast.leader, cast.outsider):
        response = signed_in(user).post(f"/me/alerts/{binding.pk}/remove/")
        assert response.status_code == 404
    assert StaffBinding.objects.filter(pk=binding.pk).exists()
    assert signed_in(cast.officer_a).get(f"/me/alerts/{binding.pk}/remove/").status_code == 405
