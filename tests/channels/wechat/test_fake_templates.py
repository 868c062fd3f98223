"""The fake's template messages, driven over real HTTP: WeChat's body, answers and codes."""

from collections.abc import Iterator
from typing import Any

import pytest

from beatdesk.channels.wechat.fake_api import TEMPLATE_SEND_PATH, FakeWeChatAPI
from tests.channels.wechat.test_fake_api import (
    STATION_A,
    STATION_A_SECRET,
    STATION_B,
    STATION_B_SECRET,
    fetch_token,
    post_json,
)

OFFICER = "oOfficer_Anna_0000000000000"
TEMPLATE = "alertTemplateOfStationA_01"


@pytest.fixture
def fake() -> Iterator[FakeWeChatAPI]:
    with FakeWeChatAPI({STATION_A: STATION_A_SECRET, STATION_B: STATION_B_SECRET}) as api:
        api.add_template(STATION_A, TEMPLATE, ["thing1", "character_string2", "time3"])
        api.follow(OFFICER)
        yield api


def body(**changes: Any) -> dict[str, Any]:
    data = {
        "thing1": {"value": "城南派出所"},
        "character_string2": {"value": "1024"},
        "time3": {"value": "2026-12-05 10:41"},
    }
    return {"touser": OFFICER, "template_id": TEMPLATE, "data": data} | changes


def send(fake: FakeWeChatAPI, payload: dict[str, Any], app: str = STATION_A) -> dict[str, Any]:
    secret = STATION_A_SECRET if app == STATION_A else STATION_B_SECRET
    token = fetch_token(fake, app, secret)
    return post_json(f"{fake.base_url}{TEMPLATE_SEND_PATH}?access_token={token}", payload)


def test_it_accepts_a_template_message_and_answers_with_a_msgid(fake: FakeWeChatAPI) -> None:
    answer = send(fake, body())

    assert (answer["errcode"], answer["errmsg"]) == (0, "ok")
    assert isinstance(answer["msgid"], int)
    assert fake.sent_templates(OFFICER) == [body()]


def test_it_refuses_a_follower_it_does_not_know_with_43004(fake: FakeWeChatAPI) -> None:
    fake.follow(OFFICER, following=False)

    assert send(fake, body())["errcode"] == 43004
    assert fake.sent_templates(OFFICER) == []


def test_a_template_of_another_app_is_an_invalid_template_id(fake: FakeWeChatAPI) -> None:
    assert send(fake, body(), app=STATION_B)["errcode"] == 40037


def test_a_thing_over_twenty_characters_is_refused_naming_the_field(
    fake: FakeWeChatAPI,
) -> None:
    long_name = {"value": "某某市某某区某某街道某某社区警务室第一分室值班台"}
    data = body()["data"] | {"thing1": long_name}

    answer = send(fake, body(data=data))

    assert answer["errcode"] == 47003
    assert "data.thing1.value invalid" in answer["errmsg"]


def test_a_missing_field_or_a_bad_time_is_refused(fake: FakeWeChatAPI) -> None:
    without_case = {k: v for k, v in body()["data"].items() if k != "character_string2"}
    bad_time = body()["data"] | {"time3": {"value": "今天上午"}}

    assert send(fake, body(data=without_case))["errcode"] == 47003
    assert send(fake, body(data=bad_time))["errcode"] == 47003


def test_a_repeated_client_msg_id_is_answered_alike_and_delivered_once(
    fake: FakeWeChatAPI,
) -> None:
    first = send(fake, body(client_msg_id="beatdesk-outbox-7"))
    again = send(fake, body(client_msg_id="beatdesk-outbox-7"))
    other = send(fake, body(client_msg_id="beatdesk-outbox-8"))

    assert first["msgid"] == again["msgid"] != other["msgid"]
    assert len(fake.sent_templates(OFFICER)) == 2


def test_a_busy_answer_can_be_scripted(fake: FakeWeChatAPI) -> None:
    fake.fail_next(TEMPLATE_SEND_PATH, -1)

    assert send(fake, body())["errcode"] == -1
    assert send(fake, body())["errcode"] == 0
