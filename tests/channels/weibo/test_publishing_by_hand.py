"""Where the API will not post, a person does: the prepared text waits with a copy button,
the post's link is checked against Weibo's address forms and the account's uid, recorded
and audited; or the post is abandoned with a reason."""

import secrets

import pytest
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account, OutboxMessage, OutboxStatus
from beatdesk.units.models import Role, User
from tests.channels.weibo.conftest import ACCOUNT_UID, PORTAL_URL, make_weibo_account
from tests.conftest import Cast, make_user, signed_in

TEXT = "【提示】近期冒充公检法诈骗高发，凡要求转账到“安全账户”的都是诈骗。"
BID = "PqRsTuVwX"


@pytest.fixture
def operator_a(cast: Cast) -> User:
    return make_user("operator_olga", cast.station_a, Role.OPERATOR)


@pytest.fixture
def by_hand(cast: Cast) -> Account:
    """Station A's account, never authorised through the API: its posts are published by hand."""
    account = make_weibo_account(cast.station_a, original_id=str(ACCOUNT_UID))
    account.channel_settings |= {"publish_by_hand": True, "portal_url": PORTAL_URL}
    account.save(update_fields=["channel_settings"])
    return account


@pytest.fixture
def waiting(operator_a: User, by_hand: Account) -> OutboxMessage:
    data = {"text": TEXT, "key": secrets.token_hex(16)}
    response = signed_in(operator_a).post(f"/posts/accounts/{by_hand.code}/write/", data)
    assert response.status_code == 302
    return OutboxMessage.objects.get(kind="post")


def record_link(client: Client, post: OutboxMessage, link: str) -> int:
    response = client.post(f"/posts/{post.pk}/published/", {"link": link})
    return response.status_code


def test_a_post_waits_with_its_prepared_text_and_a_copy_button_without_inline_script(
    operator_a: User, waiting: OutboxMessage
) -> None:
    page = signed_in(operator_a).get(f"/posts/{waiting.pk}/").content.decode()

    assert waiting.status == OutboxStatus.MANUAL
    assert waiting.payload["text"] == f"{TEXT} {PORTAL_URL}"
    assert f'<textarea id="post-text" rows="5" readonly>{TEXT} ' in page
    assert 'data-copy="post-text"' in page
    assert "/static/beatdesk/copy.js" in page
    assert "<script>" not in page
    assert 'name="link"' in page


@pytest.mark.parametrize(
    ("link", "kept"),
    [
        (f"https://weibo.com/{ACCOUNT_UID}/{BID}", f"https://weibo.com/{ACCOUNT_UID}/{BID}"),
        (
            f"https://www.weibo.com/{ACCOUNT_UID}/{BID}?pagetype=profilefeed#comment",
            f"https://weibo.com/{ACCOUNT_UID}/{BID}",
        ),
        (
            "https://m.weibo.cn/status/4951234567890123",
            "https://m.weibo.cn/status/4951234567890123",
        ),
        (f"http://m.weibo.cn/detail/{BID}", f"https://m.weibo.cn/status/{BID}"),
        (
            f"https://m.weibo.cn/{ACCOUNT_UID}/4951234567890123",
            f"https://weibo.com/{ACCOUNT_UID}/4951234567890123",
        ),
    ],
)
def test_a_link_in_any_of_weibos_forms_completes_the_post_and_is_audited(
    operator_a: User, waiting: OutboxMessage, link: str, kept: str
) -> None:
    client = signed_in(operator_a)

    assert record_link(client, waiting, f"  {link} ") == 302

    waiting.refresh_from_db()
    assert (waiting.status, waiting.external_url) == (OutboxStatus.SENT, kept)
    assert waiting.sent_at is not None
    audit = AuditRecord.objects.get(action="post.published_by_hand")
    assert (audit.actor, audit.object_id) == (operator_a, str(waiting.pk))
    assert kept in client.get(f"/posts/{waiting.pk}/").content.decode()


@pytest.mark.parametrize(
    "link",
    [
        f"https://weibo.com/5999999999/{BID}",
        f"https://m.weibo.cn/5999999999/{BID}",
        f"https://weibo.com/u/{ACCOUNT_UID}",
        f"https://weibo.com/{ACCOUNT_UID}",
        f"https://weibo.com.evil.example/{ACCOUNT_UID}/{BID}",
        f"https://evil.example/?u=https://weibo.com/{ACCOUNT_UID}/{BID}",
        f"javascript:alert(1)//weibo.com/{ACCOUNT_UID}/{BID}",
        f"ftp://weibo.com/{ACCOUNT_UID}/{BID}",
        f"https://weibo.com:8443/{ACCOUNT_UID}/{BID}",
        f"https://someone@weibo.com/{ACCOUNT_UID}/{BID}",
        f"https://weibo.com/{ACCOUNT_UID}/{BID} and more",
        "https://m.weibo.cn/search?q=police",
        "",
    ],
)
def test_a_link_that_is_not_one_of_the_accounts_posts_is_refused_and_changes_nothing(
    operator_a: User, waiting: OutboxMessage, link: str
) -> None:
    assert record_link(signed_in(operator_a), waiting, link) == 400

    waiting.refresh_from_db()
    assert (waiting.status, waiting.external_url) == (OutboxStatus.MANUAL, "")
    assert not AuditRecord.objects.filter(action="post.published_by_hand").exists()


def test_another_accounts_post_is_named_in_the_refusal(
    operator_a: User, waiting: OutboxMessage
) -> None:
    response = signed_in(operator_a).post(
        f"/posts/{waiting.pk}/published/",
        {"link": f"https://weibo.com/5999999999/{BID}"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "belongs to another Weibo account" in response.content.decode()


def test_a_link_is_recorded_once(operator_a: User, waiting: OutboxMessage) -> None:
    client = signed_in(operator_a)
    record_link(client, waiting, f"https://weibo.com/{ACCOUNT_UID}/{BID}")

    assert record_link(client, waiting, f"https://weibo.com/{ACCOUNT_UID}/AbCdEfGhI") == 400

    waiting.refresh_from_db()
    assert waiting.external_id == BID
    assert AuditRecord.objects.filter(action="post.published_by_hand").count() == 1


def test_a_waiting_post_is_abandoned_with_a_reason_and_audited(
    operator_a: User, waiting: OutboxMessage
) -> None:
    client = signed_in(operator_a)

    without = client.post(f"/posts/{waiting.pk}/abandon/", {"reason": ""})
    made_up = client.post(f"/posts/{waiting.pk}/abandon/", {"reason": "because"})
    given = client.post(f"/posts/{waiting.pk}/abandon/", {"reason": "out_of_date"})

    waiting.refresh_from_db()
    assert (without.status_code, made_up.status_code, given.status_code) == (400, 400, 302)
    assert waiting.status == OutboxStatus.ABANDONED
    [audit] = AuditRecord.objects.filter(action="post.abandoned")
    assert (audit.actor, audit.details) == (operator_a, {"reason": "out_of_date"})
    assert record_link(client, waiting, f"https://weibo.com/{ACCOUNT_UID}/{BID}") == 400


def test_a_post_the_outbox_is_sending_cannot_be_abandoned(
    operator_a: User, waiting: OutboxMessage
) -> None:
    OutboxMessage.objects.filter(pk=waiting.pk).update(status=OutboxStatus.PENDING)

    response = signed_in(operator_a).post(f"/posts/{waiting.pk}/abandon/", {"reason": "mistake"})

    waiting.refresh_from_db()
    assert (response.status_code, waiting.status) == (400, OutboxStatus.PENDING)


def test_another_stations_operator_can_neither_record_nor_abandon(
    cast: Cast, waiting: OutboxMessage
) -> None:
    client = signed_in(make_user("operator_oscar", cast.station_b, Role.OPERATOR))

    assert record_link(client, waiting, f"https://weibo.com/{ACCOUNT_UID}/{BID}") == 404
    assert client.post(f"/posts/{waiting.pk}/abandon/", {"reason": "mistake"}).status_code == 404

    waiting.refresh_from_db()
    assert waiting.status == OutboxStatus.MANUAL
