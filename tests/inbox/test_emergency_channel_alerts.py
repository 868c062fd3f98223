"""An emergency reaches each bound duty officer once through their own WeChat or QQ."""

import json
import re
from datetime import timedelta

import pytest

from beatdesk.channels import outbox
from beatdesk.channels.models import (
    Account,
    ErrorKind,
    OutboxMessage,
    OutboxStatus,
    StaffBinding,
)
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer
from beatdesk.channels.wechat.fake_api import TEMPLATE_SEND_PATH, FakeWeChatAPI
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.channel_alerts import queue_emergency_alerts
from beatdesk.inbox.models import Priority
from beatdesk.units.duty import local_day
from beatdesk.units.models import Role, User
from tests.channels.bindings import ALERT_TEMPLATE, TEMPLATE_ID, bind_qq, bind_wechat
from tests.conftest import APP_ID, Cast, make_user, make_wechat_account, signed_in
from tests.inbox.helpers import resident_writes

DANGER = "救命！有人拿着刀在我家楼下砍人，现在还在追，快来！我是张伟，电话13800138000"
CALM = "请问户口迁移要带什么材料"
ANNA = "oAnnaOwnPhone0001"
AN = "oAnOwnPhone0002"
BO = "oBoOwnPhone0003"
RESIDENT = "oResidentInDanger01"


@pytest.fixture
def alert_account(cast: Cast) -> Account:
    return make_wechat_account(cast.station_a, channel_settings=ALERT_TEMPLATE)


@pytest.fixture
def second_officer(cast: Cast) -> User:
    return make_user("officer_an", cast.station_a, Role.OFFICER)


@pytest.fixture
def wechat(fake_wechat: FakeWeChatAPI) -> FakeWeChatAPI:
    fake_wechat.add_template(APP_ID, TEMPLATE_ID, ["thing1", "character_string2", "time3"])
    return fake_wechat


def put_on_duty(cast: Cast, *officers: User) -> None:
    leader = signed_in(cast.leader)
    today = local_day(cast.station_a).isoformat()
    for officer in officers:
        data = {"unit": cast.station_a.pk, "user": officer.pk, "day": today}
        assert leader.post("/inbox/duty/", data).status_code == 302


def alerts() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind="alert").order_by("id"))


def test_an_emergency_alerts_only_the_bound_duty_officers_of_its_unit(
    cast: Cast,
    second_officer: User,
    alert_account: Account,
    peer: WeChatPeer,
    wechat: FakeWeChatAPI,
) -> None:
    third_officer = make_user("officer_al", cast.station_a, Role.OFFICER)
    station_b = make_wechat_account(
        cast.station_b, code="station-b", channel_settings=ALERT_TEMPLATE
    )
    bind_wechat(second_officer, alert_account, peer, AN)
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)
    bind_wechat(cast.officer_b, station_b, peer, BO)
    # On duty: An (bound) and Al (not bound); Anna is bound but off duty.
    put_on_duty(cast, second_officer, third_officer)
    for openid in (AN, ANNA, BO):
        wechat.follow(openid)

    case = resident_writes(alert_account, peer, RESIDENT, DANGER)

    (alert,) = alerts()
    assert (alert.recipient, alert.account) == (AN, alert_account)
    assert (
        alert.idempotency_key
        == f"emergency-alert:{case.pk}:{second_officer.pk}:wechat-{alert_account.pk}"
    )
    outbox.relay_due()
    (body,) = wechat.sent_templates(AN)
    assert body["template_id"] == TEMPLATE_ID
    assert body["data"]["thing1"] == {"value": cast.station_a.name}
    assert body["data"]["character_string2"] == {"value": str(case.pk)}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", body["data"]["time3"]["value"])
    assert wechat.sent_templates(ANNA) == wechat.sent_templates(BO) == []


def test_with_nobody_on_duty_every_bound_officer_of_the_unit_is_alerted(
    cast: Cast, second_officer: User, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)
    bind_wechat(second_officer, alert_account, peer, AN)
    # The county's leader may bind the station's account but is not the station's officer.
    bind_wechat(cast.leader, alert_account, peer, "oLeaderPhone0004")

    resident_writes(alert_account, peer, RESIDENT, DANGER)

    assert sorted(alert.recipient for alert in alerts()) == sorted([ANNA, AN])


def test_a_calm_message_alerts_nobody(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)

    resident_writes(alert_account, peer, RESIDENT, CALM)

    assert alerts() == []


def test_a_case_that_turns_into_an_emergency_alerts_once_however_often_it_is_repeated(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)
    case = resident_writes(alert_account, peer, RESIDENT, CALM)

    resident_writes(alert_account, peer, RESIDENT, DANGER)
    resident_writes(alert_account, peer, RESIDENT, DANGER + "！")

    case.refresh_from_db()
    assert case.priority == Priority.EMERGENCY
    (alert,) = alerts()
    assert alert.payload["case"] == str(case.pk)
    assert queue_emergency_alerts(case) == 0
    assert len(alerts()) == 1


def test_the_alert_holds_no_personal_data(
    cast: Cast, alert_account: Account, peer: WeChatPeer, wechat: FakeWeChatAPI
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)
    wechat.follow(ANNA)

    case = resident_writes(alert_account, peer, RESIDENT, DANGER)
    outbox.relay_due()

    (alert,) = alerts()
    stored = json.dumps(alert.payload, ensure_ascii=False)
    on_the_wire = json.dumps(wechat.sent_templates(ANNA), ensure_ascii=False)
    for secret in ("张伟", "13800138000", RESIDENT, case.tracking_code, "砍人", "刀"):
        assert secret not in stored
        assert secret not in on_the_wire
    assert cast.station_a.name in alert.payload["text"]
    assert f"/inbox/cases/{case.pk}/" in alert.payload["text"]


def test_the_alert_shows_in_the_case_history(
    cast: Cast, alert_account: Account, peer: WeChatPeer
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)

    case = resident_writes(alert_account, peer, RESIDENT, DANGER)

    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Alert sent to an officer&#x27;s own WeChat or QQ" in page.content.decode()


def test_a_qq_bound_officer_gets_the_alert_as_a_private_message_in_segments(
    cast: Cast,
    alert_account: Account,
    peer: WeChatPeer,
    onebot_account: Account,
    onebot_peer: OneBotPeer,
    fake_onebot: FakeOneBotAPI,
) -> None:
    bind_qq(cast.officer_a, onebot_account, onebot_peer, 10009)
    outbox.relay_due()
    fake_onebot.forget_traffic()

    case = resident_writes(alert_account, peer, RESIDENT, DANGER)
    outbox.relay_due()

    (sent,) = fake_onebot.sent
    assert (sent.message_type, sent.target_id) == ("private", "10009")
    assert [segment["type"] for segment in sent.segments] == ["text"]
    assert f"/inbox/cases/{case.pk}/" in sent.text
    assert OutboxMessage.objects.get(kind="alert").status == OutboxStatus.SENT


def test_an_officer_who_unfollowed_sees_her_binding_flagged_and_the_account_stays_clean(
    cast: Cast, alert_account: Account, peer: WeChatPeer, wechat: FakeWeChatAPI
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)

    resident_writes(alert_account, peer, RESIDENT, DANGER)
    outbox.relay_due()

    (alert,) = alerts()
    assert (alert.status, alert.last_error_code) == (OutboxStatus.FAILED, "43004")
    assert StaffBinding.objects.get().needs_attention == "alert-failed:43004"
    alert_account.refresh_from_db()
    assert alert_account.needs_attention == ""
    page = signed_in(cast.officer_a).get("/me/alerts/", HTTP_ACCEPT_LANGUAGE="en")
    assert "could not be delivered here (error 43004)" in page.content.decode()


def test_a_wrong_template_id_fails_for_good_and_flags_the_account_as_well(
    cast: Cast, alert_account: Account, peer: WeChatPeer, fake_wechat: FakeWeChatAPI
) -> None:
    # The fake knows no template for this app: WeChat answers 40037.
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)
    fake_wechat.follow(ANNA)

    resident_writes(alert_account, peer, RESIDENT, DANGER)
    outbox.relay_due()

    (alert,) = alerts()
    assert (alert.status, alert.last_error_code) == (OutboxStatus.FAILED, "40037")
    assert alert.attempts == 1
    alert_account.refresh_from_db()
    assert alert_account.needs_attention == "send-failed:40037"


def test_a_busy_wechat_is_tried_again_and_the_alert_then_arrives(
    cast: Cast, alert_account: Account, peer: WeChatPeer, wechat: FakeWeChatAPI
) -> None:
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)
    wechat.follow(ANNA)
    wechat.fail_next(TEMPLATE_SEND_PATH, -1)

    resident_writes(alert_account, peer, RESIDENT, DANGER)
    outbox.relay_due()
    (alert,) = alerts()
    assert (alert.status, alert.last_error_kind) == (OutboxStatus.PENDING, ErrorKind.TEMPORARY)

    outbox.relay_due(now=alert.next_attempt_at + timedelta(seconds=1))

    alert.refresh_from_db()
    assert alert.status == OutboxStatus.SENT
    assert len(wechat.sent_templates(ANNA)) == 1


def test_a_long_unit_name_is_cut_to_what_the_template_field_takes(
    cast: Cast, alert_account: Account, peer: WeChatPeer, wechat: FakeWeChatAPI
) -> None:
    cast.station_a.name = "某某市某某区某某街道某某社区警务室第一分室"
    cast.station_a.save(update_fields=["name"])
    bind_wechat(cast.officer_a, alert_account, peer, ANNA)
    wechat.follow(ANNA)

    resident_writes(alert_account, peer, RESIDENT, DANGER)
    outbox.relay_due()

    (body,) = wechat.sent_templates(ANNA)
    assert body["data"]["thing1"]["value"] == cast.station_a.name[:20]
    assert OutboxMessage.objects.get(kind="alert").status == OutboxStatus.SENT
