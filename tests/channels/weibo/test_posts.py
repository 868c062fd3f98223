"""Posts go out through statuses/share once, within its rules, with the asker's address;
what Weibo would refuse is refused before anything is written, and a refused app turns
the account to publishing by hand, telling its operators."""

import json
import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.channels import outbox
from beatdesk.channels.models import Account, ErrorKind, OutboxMessage, OutboxStatus
from beatdesk.channels.weibo.fake_api import SHARE_PATH, FakeWeiboAPI
from beatdesk.channels.weibo.sharing import weibo_length
from beatdesk.checker.models import CheckRecord
from beatdesk.units.models import Role, User
from tests.channels.weibo.conftest import BOUND_DOMAIN, PORTAL_URL
from tests.conftest import Cast, make_user, signed_in

NOTICE = "【出行提示】城南路今晚施工封闭，请绕行。详情 https://police.example.gov.cn/n/7"


@pytest.fixture
def operator_a(cast: Cast) -> User:
    return make_user("operator_olga", cast.station_a, Role.OPERATOR)


@pytest.fixture
def sharing(authorised: Account) -> Account:
    """Station A's authorised account, with its bound domain and portal link set."""
    authorised.channel_settings |= {"share_domain": BOUND_DOMAIN, "portal_url": PORTAL_URL}
    authorised.save(update_fields=["channel_settings"])
    return authorised


def write(
    client: Client, account: Account, text: str, key: str = "", language: str = "", **extra: str
) -> object:
    data = {"text": text, "key": key or secrets.token_hex(16), **extra}
    headers = {"Accept-Language": language} if language else None
    return client.post(f"/posts/accounts/{account.code}/write/", data, headers=headers)


def test_a_post_goes_out_through_share_once_and_its_link_is_shown(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    client = signed_in(operator_a)
    response = write(client, sharing, NOTICE)
    post = OutboxMessage.objects.get(kind="post")

    outbox.relay_due()
    outbox.relay_due(timezone.now() + timedelta(hours=1))

    post.refresh_from_db()
    [shared] = fake_weibo.shared
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert (post.status, post.external_id) == (OutboxStatus.SENT, shared.status_id)
    assert post.external_url == f"https://m.weibo.cn/status/{shared.status_id}"
    assert (shared.text, shared.rip) == (NOTICE, "127.0.0.1")
    [call] = fake_weibo.calls_to(SHARE_PATH)
    assert call.headers["authorization"].startswith("OAuth2 ")
    assert "access_token" not in call.params
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert post.external_url in page


def test_the_same_form_sent_twice_writes_and_posts_once(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    client, key = signed_in(operator_a), secrets.token_hex(16)

    write(client, sharing, NOTICE, key)
    write(client, sharing, NOTICE, key)
    outbox.relay_due()

    assert OutboxMessage.objects.filter(kind="post").count() == 1
    assert AuditRecord.objects.filter(action="post.written").count() == 1
    assert len(fake_weibo.shared) == 1


def test_a_post_retried_after_an_outage_goes_out_once(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    fake_weibo.fail_next(SHARE_PATH, kind="close")
    write(signed_in(operator_a), sharing, NOTICE)
    post = OutboxMessage.objects.get(kind="post")

    outbox.relay_due()
    post.refresh_from_db()
    assert (post.status, post.last_error_code) == (OutboxStatus.PENDING, "network")
    outbox.relay_due(timezone.now() + timedelta(hours=1))

    post.refresh_from_db()
    assert post.status == OutboxStatus.SENT
    assert len(fake_weibo.shared) == 1


def test_a_post_without_a_domain_link_carries_the_portal_link(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    write(signed_in(operator_a), sharing, "今晚城南路施工封闭，请绕行。")

    outbox.relay_due()

    assert [s.text for s in fake_weibo.shared] == [f"今晚城南路施工封闭，请绕行。 {PORTAL_URL}"]


@pytest.mark.parametrize(
    ("text", "changed", "shown"),
    [
        ("请" * 125 + " https://police.example.gov.cn/n/7", {}, "at most 140"),
        ("#出行提示# 城南路施工 https://police.example.gov.cn/n/7", {}, "#topic#"),
        ("城南路施工，请绕行。", {"portal_url": ""}, "police.example.gov.cn"),
        ("城南路施工 https://police.example.gov.cn.evil.cn/", {"portal_url": ""}, "add one"),
        ("城南路施工 https://police.example.gov.cn/", {"share_domain": ""}, "no bound"),
    ],
    ids=["too-long", "topic", "no-domain-link", "look-alike-domain", "no-bound-domain"],
)
def test_what_share_would_refuse_is_refused_before_anything_is_written(
    operator_a: User,
    sharing: Account,
    fake_weibo: FakeWeiboAPI,
    text: str,
    changed: dict[str, str],
    shown: str,
) -> None:
    sharing.channel_settings |= changed
    sharing.save(update_fields=["channel_settings"])

    response = write(signed_in(operator_a), sharing, text, language="en")

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert shown in response.content.decode()  # type: ignore[attr-defined]
    assert not OutboxMessage.objects.exists()
    assert not AuditRecord.objects.filter(action="post.written").exists()
    assert fake_weibo.calls_to(SHARE_PATH) == []


def test_a_row_that_no_longer_meets_the_rules_fails_without_a_call(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    write(signed_in(operator_a), sharing, NOTICE)
    post = OutboxMessage.objects.get(kind="post")
    post.payload = post.payload | {"text": "#话题# " + NOTICE}
    post.save(update_fields=["payload"])

    outbox.relay_due()

    post.refresh_from_db()
    assert (post.status, post.last_error_code) == (OutboxStatus.FAILED, "topic")
    assert fake_weibo.calls_to(SHARE_PATH) == []


def test_weibo_counts_latin_1_as_half_and_characters_beyond_the_bmp_as_two() -> None:
    assert weibo_length("请" * 140) == weibo_length("a" * 280) == 140
    assert weibo_length("a" * 281) == 141
    assert weibo_length("één") == 2
    assert weibo_length("请" * 139 + "😀") == 141


def test_an_app_without_share_permission_turns_the_account_to_publishing_by_hand(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    fake_weibo.deny_share()
    client = signed_in(operator_a)
    write(client, sharing, NOTICE)
    first = OutboxMessage.objects.get(kind="post")

    outbox.relay_due()
    write(client, sharing, "城南路已恢复通行。")

    first.refresh_from_db()
    sharing.refresh_from_db()
    second = OutboxMessage.objects.exclude(pk=first.pk).get(kind="post")
    assert (first.status, first.last_error_code) == (OutboxStatus.MANUAL, "10014")
    assert (second.status, second.attempts) == (OutboxStatus.MANUAL, 0)
    assert sharing.channel_settings["publish_by_hand"] is True
    assert sharing.needs_attention == "weibo-publish-by-hand"
    assert AuditRecord.objects.filter(
        action="account.publish_by_hand", object_id=str(sharing.pk)
    ).exists()
    assert len(fake_weibo.calls_to(SHARE_PATH)) == 1
    page = client.get(f"/posts/{first.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "error 10014" in page
    listing = client.get("/posts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "weibo-publish-by-hand" in listing


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (21327, OutboxStatus.FAILED, ErrorKind.PERMANENT),
        (20019, OutboxStatus.FAILED, ErrorKind.PERMANENT),
        (20017, OutboxStatus.FAILED, ErrorKind.PERMANENT),
        (10017, OutboxStatus.FAILED, ErrorKind.PERMANENT),
        (20016, OutboxStatus.PENDING, ErrorKind.TEMPORARY),
        (10023, OutboxStatus.PENDING, ErrorKind.TEMPORARY),
        (10001, OutboxStatus.PENDING, ErrorKind.TEMPORARY),
    ],
)
def test_share_errors_are_sorted_into_permanent_and_temporary(
    operator_a: User,
    sharing: Account,
    fake_weibo: FakeWeiboAPI,
    code: int,
    status: str,
    kind: str,
) -> None:
    fake_weibo.fail_next(SHARE_PATH, error_code=code)
    write(signed_in(operator_a), sharing, NOTICE)

    outbox.relay_due()

    post = OutboxMessage.objects.get(kind="post")
    assert (post.status, post.last_error_kind, post.last_error_code) == (status, kind, str(code))
    assert fake_weibo.shared == []


def test_an_expired_token_fails_the_post_and_flags_the_account(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    fake_weibo.expire_tokens()
    write(signed_in(operator_a), sharing, NOTICE)

    outbox.relay_due()

    sharing.refresh_from_db()
    post = OutboxMessage.objects.get(kind="post")
    assert (post.status, post.last_error_code) == (OutboxStatus.FAILED, "21327")
    assert sharing.needs_attention == "send-failed:21327"


def test_a_post_weibo_took_slowly_is_sent_without_an_id(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    fake_weibo.fail_next(SHARE_PATH, error_code=20032)
    write(signed_in(operator_a), sharing, NOTICE)

    outbox.relay_due()

    post = OutboxMessage.objects.get(kind="post")
    assert (post.status, post.external_id, post.external_url) == (OutboxStatus.SENT, "", "")


# The checker, as in the inbox's answer box.

PHONE = "失物招领：请失主联系李警官13812345678认领 https://police.example.gov.cn/n/8"
SECRET = "根据绝密★文件，明天有检查 https://police.example.gov.cn/n/9"


def test_personal_data_in_a_post_waits_for_the_operators_confirmation(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    client, key = signed_in(operator_a), secrets.token_hex(16)

    held = write(client, sharing, PHONE, key)
    assert held.status_code == 400  # type: ignore[attr-defined]
    assert 'name="confirm_findings"' in held.content.decode()  # type: ignore[attr-defined]
    assert not OutboxMessage.objects.exists()
    write(client, sharing, PHONE, key, confirm_findings="on")

    post = OutboxMessage.objects.get(kind="post")
    check = CheckRecord.objects.get(object_type="channels.post", object_id=str(post.pk))
    assert check.confirmed_by == operator_a
    assert [f["category"] for f in check.findings] == ["personal_data"]
    assert AuditRecord.objects.filter(
        action="post.review_confirmed", object_id=str(post.pk)
    ).exists()


def test_a_blocking_finding_stops_a_post_even_when_confirmed(
    operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    response = write(signed_in(operator_a), sharing, SECRET, confirm_findings="on")

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'class="finding severity-block"' in response.content.decode()  # type: ignore[attr-defined]
    assert not OutboxMessage.objects.exists()


# Who may post.


def test_only_those_who_operate_the_account_reach_its_pages(
    cast: Cast, operator_a: User, sharing: Account, fake_weibo: FakeWeiboAPI
) -> None:
    write(signed_in(operator_a), sharing, NOTICE)
    post = OutboxMessage.objects.get(kind="post")
    operator_b = make_user("operator_oscar", cast.station_b, Role.OPERATOR)

    for person in (operator_b, cast.officer_a, cast.leader, cast.inspector, cast.outsider):
        client = signed_in(person)
        assert client.get(f"/posts/accounts/{sharing.code}/write/").status_code == 404
        assert write(client, sharing, NOTICE).status_code == 404  # type: ignore[attr-defined]
        assert client.get(f"/posts/{post.pk}/").status_code == 404
        assert sharing.name not in client.get("/posts/").content.decode()
    assert OutboxMessage.objects.count() == 1
    assert signed_in(cast.center_operator).get(f"/posts/{post.pk}/").status_code == 200


def test_the_list_shows_until_when_each_account_is_authorised(
    operator_a: User, sharing: Account
) -> None:
    expires = sharing.access_token.expires_at
    assert expires is not None

    page = signed_in(operator_a).get("/posts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f"Authorised until {timezone.localdate(expires).isoformat()}" in page
    assert json.dumps(sharing.code)[1:-1] in page
