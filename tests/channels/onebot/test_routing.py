"""What a group says to the police becomes a case; the rest of the chat is only context."""

import json

import pytest
from django.test import Client

from beatdesk.channels import outbox
from beatdesk.channels.models import Account, InboundDelivery
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer, at, text
from beatdesk.inbox.models import Case, Message, Priority
from tests.channels.onebot.events import fixture, post
from tests.conftest import BOT_QQ

OFFICER_QQ = 10009


def group_says(
    account: Account, peer: OneBotPeer, content: str | list[object], group_id: int = 20001
) -> Message:
    segments = content if isinstance(content, list) else [text(content)]
    event = peer.group_message(10001, segments, group_id=group_id)
    response = post(Client(), account, peer, event)
    assert response.status_code in {200, 204}
    return Message.objects.filter(direction="in").latest("id")


def test_it_opens_a_case_when_a_member_mentions_the_bot(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    message = group_says(onebot_account, onebot_peer, [at(BOT_QQ), text(" 3号楼有人砸车")])

    assert message.case is not None
    assert message.attributes["route"] == "mention"


def test_it_opens_a_case_when_a_member_mentions_an_officer_of_the_account(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    onebot_account.channel_settings = {"officer_ids": [str(OFFICER_QQ)]}
    onebot_account.save()

    message = group_says(onebot_account, onebot_peer, [at(OFFICER_QQ), text(" 张警官辛苦了")])

    assert message.case is not None
    assert message.attributes["route"] == "mention"


def test_it_does_not_count_a_mention_of_another_member_or_of_everyone(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    message = group_says(onebot_account, onebot_peer, [at("all"), at(10002), text(" 下楼拿快递")])

    assert message.case is None


@pytest.mark.parametrize(
    "words", ["派出所几点上班?", "户口迁移怎么办理", "能办港澳通行证吗", "请问在哪里交罚款"]
)
def test_it_opens_a_case_for_a_question(
    onebot_account: Account, onebot_peer: OneBotPeer, words: str
) -> None:
    message = group_says(onebot_account, onebot_peer, words)

    assert message.case is not None
    assert message.attributes["route"] == "question"


@pytest.mark.parametrize(
    "words", ["我要举报小区门口有人卖假烟", "提供一条线索", "刚才被骗了300元"]
)
def test_it_opens_a_case_for_a_tip(
    onebot_account: Account, onebot_peer: OneBotPeer, words: str
) -> None:
    message = group_says(onebot_account, onebot_peer, words)

    assert message.case is not None
    assert message.attributes["route"] == "tip"


def test_it_opens_a_case_for_a_keyword_configured_for_that_group_only(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    onebot_account.channel_settings = {"groups": {"20001": {"keywords": ["电动车"]}}}
    onebot_account.save()

    in_group = group_says(onebot_account, onebot_peer, "楼道里电动车充电", group_id=20001)
    elsewhere = group_says(onebot_account, onebot_peer, "楼道里电动车充电", group_id=20002)

    assert in_group.case is not None
    assert in_group.attributes["route"] == "keyword"
    assert elsewhere.case is None


def test_it_applies_account_wide_keywords_in_every_group(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    onebot_account.channel_settings = {"keywords": ["高空抛物"]}
    onebot_account.save()

    message = group_says(onebot_account, onebot_peer, "又有高空抛物", group_id=20077)

    assert message.case is not None


def test_it_keeps_chatter_as_context_without_a_case(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    response = post(Client(), onebot_account, onebot_peer, fixture("group_message_chatter"))

    assert response.status_code == 204
    message = Message.objects.get()
    assert message.text == "今天天气不错，下午去公园散步"
    assert message.case is None
    assert "route" not in message.attributes
    assert not Case.objects.exists()


def test_it_ignores_malformed_channel_settings_instead_of_failing(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    onebot_account.channel_settings = {"groups": ["20001"], "keywords": "电动车", "officer_ids": 1}
    onebot_account.save()

    message = group_says(onebot_account, onebot_peer, "电动车")

    assert message.case is None


def test_it_joins_a_members_follow_up_to_their_open_case(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    question = group_says(onebot_account, onebot_peer, "我家门口的车被划了怎么办")

    follow_up = group_says(onebot_account, onebot_peer, "在幸福路12号")

    assert follow_up.case == question.case
    assert follow_up.attributes["route"] == "follow_up"


def test_it_always_opens_a_case_for_a_private_message_and_replies_privately(
    onebot_account: Account, onebot_peer: OneBotPeer, fake_onebot: FakeOneBotAPI
) -> None:
    response = post(Client(), onebot_account, onebot_peer, fixture("private_message"))
    outbox.relay_due()

    assert response.status_code == 204
    case = Case.objects.get()
    assert case.resident.external_id == "private:10001"
    [sent] = fake_onebot.sent
    assert (sent.message_type, sent.target_id) == ("private", "10001")
    assert case.tracking_code in sent.text


def test_it_answers_a_new_group_case_in_the_group_with_the_stations_name(
    onebot_account: Account, onebot_peer: OneBotPeer, fake_onebot: FakeOneBotAPI
) -> None:
    post(Client(), onebot_account, onebot_peer, fixture("group_message_array"))
    outbox.relay_due()

    [sent] = fake_onebot.sent
    assert (sent.message_type, sent.target_id) == ("group", "20001")
    assert sent.segments[0] == {"type": "at", "data": {"qq": "10001"}}
    assert sent.text.startswith(f" 【{onebot_account.unit.name}】")
    assert Case.objects.get().tracking_code in sent.text


def test_it_tells_a_member_in_danger_to_call_110_in_the_quick_operation_and_only_there(
    onebot_account: Account, onebot_peer: OneBotPeer, fake_onebot: FakeOneBotAPI
) -> None:
    danger = [at(BOT_QQ), text(" 救命！有人拿着刀在楼下砍人，现在还在追，快来！")]
    event = onebot_peer.group_message(10001, danger)

    response = post(Client(), onebot_account, onebot_peer, event)
    outbox.relay_due()

    answered = InboundDelivery.objects.get().emergency_answer
    assert "请立即拨打110" in answered
    [segment] = json.loads(response.content)["reply"]
    assert segment["data"]["text"] == f"【{onebot_account.unit.name}】{answered}"
    case = Case.objects.get()
    assert case.priority == Priority.EMERGENCY
    [sent] = fake_onebot.sent
    assert case.tracking_code in sent.text
    assert answered not in sent.text


def test_it_keeps_a_members_group_and_private_conversations_apart(
    onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    client = Client()
    post(client, onebot_account, onebot_peer, fixture("group_message_array"))
    post(client, onebot_account, onebot_peer, fixture("private_message"))

    residents = sorted(case.resident.external_id for case in Case.objects.all())
    assert residents == ["group:20001:10001", "private:10001"]
