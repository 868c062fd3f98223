"""The fake Weibo API, driven over real HTTP with urllib: Weibo's shapes and rules."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from beatdesk.channels.weibo.fake_api import FakeWeiboAPI, weibo_length

APP_KEY, APP_SECRET, FANS_TOKEN = "3000000009", "fake-test-secret", "fake-test-fans-token"
REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def fake() -> Iterator[FakeWeiboAPI]:
    with FakeWeiboAPI(APP_KEY, APP_SECRET, fans_service_token=FANS_TOKEN) as api:
        yield api


def call(
    fake: FakeWeiboAPI, path: str, params: dict[str, str], token: str = "", post: bool = False
) -> tuple[int, dict[str, Any]]:
    encoded = urlencode(params)
    url = f"{fake.base_url}{path}" + ("" if post else f"?{encoded}")
    request = urllib.request.Request(url, data=encoded.encode() if post else None)
    if token:
        request.add_header("Authorization", f"OAuth2 {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_lists_come_newest_first_with_ids_as_number_and_as_text_past_two_to_the_53(
    fake: FakeWeiboAPI,
) -> None:
    token = fake.grant_token()
    post = fake.add_post()
    first = fake.add_comment(post, "6000000001", "一")
    second = fake.add_comment(post, "6000000002", "二")

    status, page = call(fake, "/2/comments/to_me.json", {}, token)

    assert status == 200
    assert [c["idstr"] for c in page["comments"]] == [second, first]
    assert all(c["id"] == int(c["idstr"]) > 2**53 for c in page["comments"])
    assert page["comments"][0]["status"]["idstr"] == post
    assert page["next_cursor"] == 0


def test_since_id_is_strictly_above_and_max_id_at_or_below(fake: FakeWeiboAPI) -> None:
    token = fake.grant_token()
    post = fake.add_post()
    ids = [fake.add_comment(post, "6000000001", str(n)) for n in range(4)]

    _status, above = call(fake, "/2/comments/to_me.json", {"since_id": ids[1]}, token)
    _status, below = call(fake, "/2/comments/to_me.json", {"max_id": ids[2], "count": "2"}, token)

    assert [c["idstr"] for c in above["comments"]] == [ids[3], ids[2]]
    assert [c["idstr"] for c in below["comments"]] == [ids[2], ids[1]]
    assert below["next_cursor"] != 0


def test_a_missing_expired_or_revoked_token_gets_weibos_error_envelope(fake: FakeWeiboAPI) -> None:
    token = fake.grant_token()
    missing = call(fake, "/2/comments/to_me.json", {})
    fake.expire_tokens()
    expired = call(fake, "/2/comments/to_me.json", {}, token)
    fake.revoke_tokens()
    revoked = call(fake, "/2/comments/to_me.json", {}, token)

    assert [(status, body["error_code"]) for status, body in [missing, expired, revoked]] == [
        (403, 21301),
        (403, 21327),
        (403, 21332),
    ]
    assert expired[1]["request"] == "/2/comments/to_me.json"


def test_a_reply_longer_than_140_weibo_characters_is_refused(fake: FakeWeiboAPI) -> None:
    token = fake.grant_token()
    post = fake.add_post()
    cid = fake.add_comment(post, "6000000001", "问")

    long = call(
        fake,
        "/2/comments/reply.json",
        {"cid": cid, "id": post, "comment": "答" * 141},
        token,
        True,
    )
    fits = call(
        fake, "/2/comments/reply.json", {"cid": cid, "id": post, "comment": "a" * 280}, token, True
    )

    assert (long[0], long[1]["error_code"]) == (400, 20012)
    assert fits[0] == 200
    assert fits[1]["reply_comment"]["idstr"] == cid


def test_a_reply_must_name_the_comment_under_its_own_post(fake: FakeWeiboAPI) -> None:
    token = fake.grant_token()
    post, other = fake.add_post(), fake.add_post()
    cid = fake.add_comment(post, "6000000001", "问")

    status, body = call(
        fake, "/2/comments/reply.json", {"cid": cid, "id": other, "comment": "答"}, token, True
    )

    assert (status, body["error_code"]) == (400, 20201)


def test_a_comment_on_a_post_requires_the_real_ip(fake: FakeWeiboAPI) -> None:
    token = fake.grant_token()
    post = fake.add_post()

    without = call(fake, "/2/comments/create.json", {"id": post, "comment": "答"}, token, True)
    with_ip = call(
        fake,
        "/2/comments/create.json",
        {"id": post, "comment": "答", "rip": "203.0.113.7"},
        token,
        True,
    )

    assert without[1]["error_code"] == 10016
    assert with_ip[0] == 200


def test_a_mention_may_be_answered_privately_once(fake: FakeWeiboAPI) -> None:
    fake.user_mentioned("6000000001")
    form = {
        "access_token": FANS_TOKEN,
        "type": "text",
        "data": quote(json.dumps({"text": "您好"}, ensure_ascii=False)),
        "receiver_id": "6000000001",
    }

    first = call(fake, "/2/messages/reply.json", form, post=True)
    second = call(fake, "/2/messages/reply.json", form, post=True)

    assert first[0] == 200
    assert (second[0], second[1]["error_code"]) == (400, 20301)
    assert [reply.text for reply in fake.private_replies] == ["您好"]


def test_the_fake_runs_as_a_process_and_prints_its_address() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "beatdesk.channels.weibo.fake_api", "--port", "0", "--app", "k:s"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base_url}/2/comments/to_me.json", timeout=5)
        assert json.loads(refused.value.read())["error_code"] == 21301
    finally:
        process.terminate()
        process.wait(timeout=10)


# statuses/share, the one write call left to apps.


@pytest.fixture
def sharing_fake() -> Iterator[FakeWeiboAPI]:
    with FakeWeiboAPI(APP_KEY, APP_SECRET, bound_domain="police.example.gov.cn") as api:
        yield api


def share(fake: FakeWeiboAPI, token: str, **params: str) -> tuple[int, dict[str, Any]]:
    return call(fake, "/2/statuses/share.json", params, token, post=True)


def test_a_share_answers_the_new_post_with_its_id_as_text(sharing_fake: FakeWeiboAPI) -> None:
    token = sharing_fake.grant_token()
    text = "【提示】雨天路滑，请慢行 https://police.example.gov.cn/n/1"

    status, post = share(sharing_fake, token, status=text, rip="198.51.100.4")

    assert status == 200
    assert post["text"] == text
    assert post["id"] == int(post["idstr"]) > 2**53
    assert post["user"]["idstr"] == sharing_fake.account_uid
    assert [(s.status_id, s.rip) for s in sharing_fake.shared] == [(post["idstr"], "198.51.100.4")]


@pytest.mark.parametrize(
    ("params", "code", "error"),
    [
        ({"status": "没有链接的微博"}, 10017, "text not find domain!"),
        ({"status": "链接 https://other.example.com/a"}, 10017, "text not find domain!"),
        ({"status": "#防诈骗# https://police.example.gov.cn/"}, 10017, "text contains topic!"),
        ({"status": "请" * 141 + " https://police.example.gov.cn/"}, 20012, None),
        ({"status": ""}, 10016, None),
    ],
)
def test_a_share_that_breaks_a_rule_gets_the_error_envelope(
    sharing_fake: FakeWeiboAPI, params: dict[str, str], code: int, error: str | None
) -> None:
    token = sharing_fake.grant_token()

    status, body = share(sharing_fake, token, rip="198.51.100.4", **params)

    assert status == 400
    assert set(body) == {"request", "error_code", "error"}
    assert (body["request"], body["error_code"]) == ("/2/statuses/share.json", code)
    assert error is None or body["error"] == error
    assert sharing_fake.shared == []


def test_a_share_without_the_users_ip_is_refused(sharing_fake: FakeWeiboAPI) -> None:
    token = sharing_fake.grant_token()

    status, body = share(sharing_fake, token, status="通告 https://police.example.gov.cn/")

    assert (status, body["error_code"]) == (400, 10016)


def test_the_same_text_twice_in_a_row_is_repeat_content(sharing_fake: FakeWeiboAPI) -> None:
    token = sharing_fake.grant_token()
    text = "通告 https://police.example.gov.cn/"
    share(sharing_fake, token, status=text, rip="198.51.100.4")

    status, body = share(sharing_fake, token, status=text, rip="198.51.100.4")

    assert (status, body["error_code"]) == (400, 20019)
    assert len(sharing_fake.shared) == 1


def test_retired_write_calls_and_a_denied_share_answer_10014(sharing_fake: FakeWeiboAPI) -> None:
    token = sharing_fake.grant_token()

    retired = call(sharing_fake, "/2/statuses/update.json", {"status": "x"}, token, post=True)
    sharing_fake.deny_share()
    denied = share(sharing_fake, token, status="通告 https://police.example.gov.cn/", rip="1")

    assert retired == (
        403,
        {
            "request": "/2/statuses/update.json",
            "error_code": 10014,
            "error": "Insufficient app permissions!",
        },
    )
    assert denied[1]["error_code"] == 10014
    assert sharing_fake.shared == []


def test_the_fake_counts_latin_1_as_half_and_characters_beyond_the_bmp_as_two() -> None:
    assert weibo_length("a" * 280) == 140
    assert weibo_length("é" * 3) == 2
    assert weibo_length("请" * 139 + "😀") == 141
