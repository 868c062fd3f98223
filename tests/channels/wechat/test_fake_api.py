"""The fake api.weixin.qq.com, driven over real HTTP with urllib (and once with wechatpy)."""

import http.client
import json
import select
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from beatdesk.channels.wechat.fake_api import (
    CUSTOM_SEND_PATH,
    STABLE_TOKEN_PATH,
    TOKEN_PATH,
    FakeWeChatAPI,
)

# Two stations' Official Accounts and the residents who write to them.
STATION_A = "wx00000000000000aa"
STATION_A_SECRET = "secret-of-station-a"
STATION_B = "wx00000000000000bb"
STATION_B_SECRET = "secret-of-station-b"
ANNA = "oResident_Anna_000000000000000"
BO = "oResident_Bo_0000000000000000"
REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def fake() -> Iterator[FakeWeChatAPI]:
    with FakeWeChatAPI({STATION_A: STATION_A_SECRET, STATION_B: STATION_B_SECRET}) as api:
        yield api


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def post_json(url: str, payload: object) -> dict[str, Any]:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def fetch_token(
    fake: FakeWeChatAPI, app_id: str = STATION_A, secret: str = STATION_A_SECRET
) -> str:
    query = f"grant_type=client_credential&appid={app_id}&secret={secret}"
    answer = get_json(f"{fake.base_url}{TOKEN_PATH}?{query}")
    return str(answer["access_token"])


def fetch_stable(fake: FakeWeChatAPI, force: bool = False) -> dict[str, Any]:
    body = {
        "grant_type": "client_credential",
        "appid": STATION_A,
        "secret": STATION_A_SECRET,
        "force_refresh": force,
    }
    return post_json(f"{fake.base_url}{STABLE_TOKEN_PATH}", body)


def send_text(fake: FakeWeChatAPI, token: str, openid: str, content: str) -> dict[str, Any]:
    body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
    return post_json(f"{fake.base_url}{CUSTOM_SEND_PATH}?access_token={token}", body)


# Tokens.


def test_it_issues_a_two_hour_token_for_the_right_secret(fake: FakeWeChatAPI) -> None:
    query = f"grant_type=client_credential&appid={STATION_A}&secret={STATION_A_SECRET}"

    answer = get_json(f"{fake.base_url}{TOKEN_PATH}?{query}")

    assert set(answer) == {"access_token", "expires_in"}
    assert answer["expires_in"] == 7200
    assert len(answer["access_token"]) > 100


@pytest.mark.parametrize(
    ("app_id", "secret", "errcode"),
    [
        (STATION_A, "wrong", 40125),
        ("wxnobody", STATION_A_SECRET, 40013),
        ("", STATION_A_SECRET, 41002),
        (STATION_A, "", 41004),
    ],
)
def test_it_refuses_bad_credentials_with_wechats_codes(
    fake: FakeWeChatAPI, app_id: str, secret: str, errcode: int
) -> None:
    query = f"grant_type=client_credential&appid={app_id}&secret={secret}"

    answer = get_json(f"{fake.base_url}{TOKEN_PATH}?{query}")

    assert answer["errcode"] == errcode
    assert " rid: " in answer["errmsg"]


def test_it_refuses_a_wrong_grant_type(fake: FakeWeChatAPI) -> None:
    query = f"grant_type=password&appid={STATION_A}&secret={STATION_A_SECRET}"

    assert get_json(f"{fake.base_url}{TOKEN_PATH}?{query}")["errcode"] == 40002


def test_a_new_token_leaves_the_old_one_working_during_the_grace(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    old = fetch_token(fake)
    fetch_token(fake)

    assert send_text(fake, old, ANNA, "still fine")["errcode"] == 0


def test_the_old_token_stops_working_when_the_grace_ends(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    old = fetch_token(fake)
    fetch_token(fake)

    fake.advance_clock(301)

    assert send_text(fake, old, ANNA, "too late")["errcode"] == 40001


def test_without_grace_a_new_token_invalidates_the_old_one(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    fake.set_token_grace(0)
    old = fetch_token(fake)
    new = fetch_token(fake)

    assert send_text(fake, old, ANNA, "old")["errcode"] == 40001
    assert send_text(fake, new, ANNA, "new")["errcode"] == 0


def test_the_stable_token_stays_the_same_until_forced(fake: FakeWeChatAPI) -> None:
    first = fetch_stable(fake)
    again = fetch_stable(fake)
    forced = fetch_stable(fake, force=True)

    assert first["access_token"] == again["access_token"]
    assert forced["access_token"] != first["access_token"]
    assert 300 <= again["expires_in"] <= 7200


def test_a_forced_refresh_invalidates_the_previous_stable_token(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    old = fetch_stable(fake)["access_token"]
    fetch_stable(fake, force=True)

    assert send_text(fake, old, ANNA, "old")["errcode"] == 40001


def test_forced_refreshes_within_30_seconds_return_the_current_token(fake: FakeWeChatAPI) -> None:
    first_forced = fetch_stable(fake, force=True)["access_token"]
    second_forced = fetch_stable(fake, force=True)["access_token"]
    fake.advance_clock(31)
    third_forced = fetch_stable(fake, force=True)["access_token"]

    assert second_forced == first_forced
    assert third_forced != first_forced


def test_the_stable_token_renews_itself_in_its_last_five_minutes(fake: FakeWeChatAPI) -> None:
    first = fetch_stable(fake)["access_token"]
    fake.advance_clock(7200 - 299)

    renewed = fetch_stable(fake)

    assert renewed["access_token"] != first
    assert renewed["expires_in"] == 7200


def test_stable_and_ordinary_tokens_leave_each_other_alone(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    fake.set_token_grace(0)
    stable = fetch_stable(fake)["access_token"]
    ordinary = fetch_token(fake)
    fetch_token(fake)

    assert send_text(fake, stable, ANNA, "stable")["errcode"] == 0
    assert send_text(fake, ordinary, ANNA, "ordinary")["errcode"] == 40001


def test_the_stable_token_endpoint_is_post_only(fake: FakeWeChatAPI) -> None:
    assert get_json(f"{fake.base_url}{STABLE_TOKEN_PATH}")["errcode"] == 43002


def test_it_counts_token_fetches_and_tokens_minted(fake: FakeWeChatAPI) -> None:
    fetch_token(fake)
    fetch_stable(fake)
    fetch_stable(fake)
    get_json(f"{fake.base_url}{TOKEN_PATH}?grant_type=client_credential&appid=x&secret=y")

    assert fake.token_fetches == 4
    assert fake.tokens_issued == 2


def test_it_keeps_each_apps_credentials_apart(fake: FakeWeChatAPI) -> None:
    assert fetch_token(fake, STATION_B, STATION_B_SECRET)
    with pytest.raises(KeyError):
        fetch_token(fake, STATION_B, STATION_A_SECRET)


# Customer-service messages.


def test_it_delivers_a_text_inside_the_window(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)

    answer = send_text(fake, fetch_token(fake), ANNA, "已收到，民警马上联系您")

    assert answer == {"errcode": 0, "errmsg": "ok"}
    assert fake.sent_texts(ANNA) == ["已收到，民警马上联系您"]


def test_it_answers_41001_without_an_access_token(fake: FakeWeChatAPI) -> None:
    body = {"touser": ANNA, "msgtype": "text", "text": {"content": "hi"}}

    assert post_json(f"{fake.base_url}{CUSTOM_SEND_PATH}", body)["errcode"] == 41001


def test_it_answers_40001_for_a_token_it_never_issued(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)

    assert send_text(fake, "made-up", ANNA, "hi")["errcode"] == 40001


def test_it_answers_42001_for_an_expired_token(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)

    fake.expire_tokens()

    assert send_text(fake, token, ANNA, "hi")["errcode"] == 42001


def test_it_refuses_a_user_who_never_wrote(fake: FakeWeChatAPI) -> None:
    assert send_text(fake, fetch_token(fake), BO, "hello?")["errcode"] == 45015
    assert fake.sent_texts(BO) == []


def test_it_refuses_once_48_hours_have_passed(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA, at=time.time() - 48 * 3600 - 1)

    assert send_text(fake, fetch_token(fake), ANNA, "late")["errcode"] == 45015


def test_it_refuses_a_sixth_message_in_the_window(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)

    answers = [send_text(fake, token, ANNA, f"message {n}")["errcode"] for n in range(6)]

    assert answers == [0, 0, 0, 0, 0, 45047]
    assert len(fake.sent_texts(ANNA)) == 5


def test_a_new_message_from_the_user_restores_the_quota(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)
    for n in range(5):
        send_text(fake, token, ANNA, f"message {n}")

    fake.note_user_message(ANNA)

    assert send_text(fake, token, ANNA, "after she wrote again")["errcode"] == 0


def test_it_refuses_content_over_2048_bytes(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)

    at_limit = send_text(fake, token, ANNA, "a" * 2048)
    over_in_chinese = send_text(fake, token, ANNA, "长" * 683)

    assert (at_limit["errcode"], over_in_chinese["errcode"]) == (0, 45002)


def test_a_refused_message_does_not_spend_the_quota(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)
    send_text(fake, token, ANNA, "x" * 3000)

    answers = [send_text(fake, token, ANNA, f"message {n}")["errcode"] for n in range(5)]

    assert answers == [0] * 5


def test_it_records_each_call_with_query_body_and_headers(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)

    send_text(fake, token, ANNA, "你好")

    call = fake.calls_to(CUSTOM_SEND_PATH)[0]
    assert (call.method, call.query, call.errcode) == ("POST", {"access_token": token}, 0)
    assert call.body == {"touser": ANNA, "msgtype": "text", "text": {"content": "你好"}}
    assert call.headers["content-type"] == "application/json"
    assert "你好".encode() in call.raw_body


def test_the_control_endpoint_lets_another_process_open_a_window(fake: FakeWeChatAPI) -> None:
    post_json(f"{fake.base_url}/_fake/user_message", {"openid": BO})

    assert send_text(fake, fetch_token(fake), BO, "hi")["errcode"] == 0
    assert get_json(f"{fake.base_url}/_fake/calls")["calls"][-1]["path"] == CUSTOM_SEND_PATH


# Scripted trouble.


def test_a_scripted_failure_answers_its_code_then_recovers(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)
    fake.fail_next(CUSTOM_SEND_PATH, -1, times=2)

    answers = [send_text(fake, token, ANNA, f"try {n}")["errcode"] for n in range(3)]

    assert answers == [-1, -1, 0]
    assert fake.sent_texts(ANNA) == ["try 2"]


def test_a_token_storm_fails_every_call_it_covers(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    token = fetch_token(fake)
    fake.fail_next(CUSTOM_SEND_PATH, 40001, times=3)
    fake.fail_next(CUSTOM_SEND_PATH, 45009)

    answers = [send_text(fake, token, ANNA, "hi")["errcode"] for _ in range(5)]

    assert answers == [40001, 40001, 40001, 45009, 0]


def test_a_scripted_delay_holds_one_answer(fake: FakeWeChatAPI) -> None:
    fake.delay_next(TOKEN_PATH, 0.3)

    started = time.monotonic()
    fetch_token(fake)
    slow = time.monotonic() - started
    started = time.monotonic()
    fetch_token(fake)
    fast = time.monotonic() - started

    assert slow >= 0.3
    assert fast < 0.3


def test_it_can_answer_http_500(fake: FakeWeChatAPI) -> None:
    fake.break_next(TOKEN_PATH, "http_500")

    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch_token(fake)

    assert raised.value.code == 500
    assert fetch_token(fake)


def test_it_can_close_the_connection_without_answering(fake: FakeWeChatAPI) -> None:
    fake.break_next(TOKEN_PATH, "close")

    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError)):
        fetch_token(fake)

    assert fetch_token(fake)


def test_it_answers_404_for_a_path_it_does_not_know(fake: FakeWeChatAPI) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        get_json(f"{fake.base_url}/cgi-bin/nothing")

    assert raised.value.code == 404


# As wechatpy sees it.


class LocalClient(WeChatClient):  # type: ignore[misc]
    """wechatpy's client pointed at the fake, with its unbounded token retry off."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(STATION_A, STATION_A_SECRET, access_token=token, auto_retry=False)
        self.API_BASE_URL = f"{base_url}/cgi-bin/"


def test_wechatpy_sends_a_text_through_the_fake(fake: FakeWeChatAPI) -> None:
    fake.note_user_message(ANNA)
    client = LocalClient(fake.base_url, fetch_token(fake))

    client.message.send_text(ANNA, "民警已出警")

    assert fake.sent_texts(ANNA) == ["民警已出警"]


def test_wechatpy_sees_the_quota_error_as_its_errcode(fake: FakeWeChatAPI) -> None:
    client = LocalClient(fake.base_url, fetch_token(fake))

    with pytest.raises(WeChatClientException) as raised:
        client.message.send_text(BO, "never wrote")

    assert raised.value.errcode == 45015


# As a process, the way the demo runs it.


def test_it_runs_as_a_process_and_prints_its_base_url(tmp_path: Path) -> None:
    apps_file = tmp_path / "apps.json"
    apps_file.write_text(json.dumps({STATION_B: STATION_B_SECRET}))
    command = [sys.executable, "-m", "beatdesk.channels.wechat.fake_api", "--port", "0"]
    command += ["--app", f"{STATION_A}:{STATION_A_SECRET}", "--apps-file", str(apps_file)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 10)
        base_url = process.stdout.readline().strip() if ready else ""
        query = f"grant_type=client_credential&appid={STATION_B}&secret={STATION_B_SECRET}"

        answer = get_json(f"{base_url}{TOKEN_PATH}?{query}")

        assert base_url.startswith("http://127.0.0.1:")
        assert answer["expires_in"] == 7200
    finally:
        process.terminate()
        returncode = process.wait(timeout=10)
    assert returncode == 0
