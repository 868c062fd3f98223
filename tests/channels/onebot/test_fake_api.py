"""The fake OneBot API answers as NapCat does: tokens, envelopes, failures inside HTTP 200."""

import json
from collections.abc import Iterator

import pytest
import requests

from beatdesk.channels.onebot.fake_api import FakeOneBotAPI, read_message, render_cq

TOKEN = "fake-token"


@pytest.fixture
def fake() -> Iterator[FakeOneBotAPI]:
    with FakeOneBotAPI(TOKEN, "30001") as api:
        yield api


def call(
    fake: FakeOneBotAPI, action: str, token: str | None = TOKEN, **params: object
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{fake.base_url}/{action}", json=params, headers=headers, timeout=5)


def test_it_answers_get_login_info_in_napcats_envelope(fake: FakeOneBotAPI) -> None:
    envelope = call(fake, "get_login_info").json()

    assert envelope["status"] == "ok"
    assert envelope["retcode"] == 0
    assert envelope["data"]["user_id"] == 30001
    assert {"message", "wording", "echo"} <= set(envelope)


def test_it_refuses_a_missing_or_wrong_token_with_403_like_napcat(fake: FakeOneBotAPI) -> None:
    assert call(fake, "get_login_info", token=None).status_code == 403
    assert call(fake, "get_login_info", token="wrong").status_code == 403


def test_it_tells_a_missing_token_from_a_wrong_one_in_spec_mode() -> None:
    with FakeOneBotAPI(TOKEN, auth_style="spec") as fake:
        assert call(fake, "get_login_info", token=None).status_code == 401
        assert call(fake, "get_login_info", token="wrong").status_code == 403
        assert call(fake, "no_such_action").status_code == 404


def test_it_accepts_the_token_in_the_query_and_parameters_as_a_form(fake: FakeOneBotAPI) -> None:
    response = requests.post(
        f"{fake.base_url}/send_private_msg?access_token={TOKEN}",
        data={"user_id": "10001", "message": "你好"},
        timeout=5,
    )

    assert response.json()["status"] == "ok"
    assert fake.sent[0].text == "你好"


def test_it_answers_an_unknown_action_with_http_200_and_a_failure_inside(
    fake: FakeOneBotAPI,
) -> None:
    response = call(fake, "no_such_action")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["retcode"]) == ("failed", 200)


def test_it_reads_cq_codes_in_a_string_unless_told_to_escape(fake: FakeOneBotAPI) -> None:
    call(fake, "send_group_msg", group_id=20001, message="[CQ:at,qq=all] 开会")
    call(fake, "send_group_msg", group_id=20001, message="[CQ:at,qq=all] 开会", auto_escape=True)

    mentioned, escaped = fake.sent
    assert mentioned.mentions_all
    assert not escaped.mentions_all


def test_it_fails_scripted_calls_inside_http_200_then_recovers(fake: FakeOneBotAPI) -> None:
    fake.fail_next("send_private_msg", retcode=200, times=2)

    answers = [call(fake, "send_private_msg", user_id=10001, message="a") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["status"] for a in answers] == ["failed", "failed", "ok"]
    assert len(fake.sent) == 1


def test_it_refuses_a_send_without_a_target_or_a_message(fake: FakeOneBotAPI) -> None:
    no_target = call(fake, "send_group_msg", message="a").json()
    no_message = call(fake, "send_group_msg", group_id=20001, message=[]).json()

    assert no_target["retcode"] == no_message["retcode"] == 400
    assert fake.sent == []


def test_it_reads_and_renders_messages_like_an_implementation() -> None:
    segments = read_message("[CQ:at,qq=10001]你好&#91;x&#93;[CQ:image,file=a.jpg]", False)

    assert segments is not None
    assert [s["type"] for s in segments] == ["at", "text", "image"]
    assert segments[1]["data"]["text"] == "你好[x]"
    assert render_cq(segments) == "[CQ:at,qq=10001]你好&#91;x&#93;[CQ:image,file=a.jpg]"
    assert read_message({"type": "text", "data": {"text": "x"}}, False) == [
        {"type": "text", "data": {"text": "x"}}
    ]
    assert read_message(json.loads("[null]"), False) is None
