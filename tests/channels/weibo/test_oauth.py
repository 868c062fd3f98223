"""Connecting an account: the authorisation address, the code exchange, the token kept
encrypted with its expiry, and operators warned before it ends. No token in any output."""

import csv
import io
import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from beatdesk.channels.matrix import COLUMNS
from beatdesk.channels.models import AccessToken, Account
from beatdesk.channels.weibo import client
from beatdesk.channels.weibo.expiry import WARN_BEFORE, flag_expiring_tokens
from beatdesk.channels.weibo.fake_api import TOKEN_LIFETIME_SECONDS, TOKEN_PATH, FakeWeiboAPI
from tests.channels.weibo.conftest import ACCOUNT_UID, WEIBO_APP_KEY, WEIBO_APP_SECRET
from tests.conftest import Cast


def test_the_authorisation_address_names_our_app_and_where_the_code_is_shown(
    weibo_account: Account, fake_weibo: FakeWeiboAPI
) -> None:
    address = urlsplit(client.authorize_url(weibo_account, state="s1"))

    assert address.path == "/oauth2/authorize"
    assert parse_qs(address.query) == {
        "client_id": [WEIBO_APP_KEY],
        "redirect_uri": ["https://api.weibo.com/oauth2/default.html"],
        "response_type": ["code"],
        "state": ["s1"],
    }
    assert WEIBO_APP_SECRET not in address.geturl()


def test_exchanging_the_code_keeps_the_token_encrypted_with_its_expiry(
    weibo_account: Account, fake_weibo: FakeWeiboAPI
) -> None:
    before = timezone.now()

    authorisation = client.exchange_code(weibo_account, fake_weibo.issue_code())

    held = AccessToken.objects.get(account=weibo_account)
    lifetime = timedelta(seconds=TOKEN_LIFETIME_SECONDS)
    assert held.expires_at is not None
    assert before + lifetime <= held.expires_at <= timezone.now() + lifetime
    assert authorisation.uid == str(ACCOUNT_UID)
    weibo_account.refresh_from_db()
    assert weibo_account.original_id == str(ACCOUNT_UID)
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM channels_accesstoken")
        [(stored,)] = cursor.fetchall()
    assert str(held.token).startswith("2.00")
    assert str(held.token) not in stored
    [call] = fake_weibo.calls_to(TOKEN_PATH)
    assert call.params["grant_type"] == "authorization_code"


def test_a_used_or_wrong_code_is_refused_without_echoing_any_secret(
    weibo_account: Account, fake_weibo: FakeWeiboAPI, caplog: pytest.LogCaptureFixture
) -> None:
    code = fake_weibo.issue_code()
    client.exchange_code(weibo_account, code)

    with caplog.at_level(logging.DEBUG), pytest.raises(client.WeiboAPIError) as refused:
        client.exchange_code(weibo_account, code)

    assert (refused.value.code, refused.value.token_invalid) == ("21325", True)
    token = str(AccessToken.objects.get(account=weibo_account).token)
    for text in [str(refused.value), refused.value.detail, caplog.text]:
        assert token not in text
        assert WEIBO_APP_SECRET not in text


def test_the_command_prints_the_address_then_exchanges_the_code_without_printing_the_token(
    weibo_account: Account, fake_weibo: FakeWeiboAPI, caplog: pytest.LogCaptureFixture
) -> None:
    printed = io.StringIO()
    call_command("weibo_authorize", "--account", weibo_account.code, stdout=printed)
    assert "/oauth2/authorize?client_id=" in printed.getvalue()

    with caplog.at_level(logging.DEBUG):
        call_command(
            "weibo_authorize",
            "--account",
            weibo_account.code,
            "--code",
            fake_weibo.issue_code(),
            stdout=printed,
        )

    token = str(AccessToken.objects.get(account=weibo_account).token)
    assert f"authorised as Weibo user {ACCOUNT_UID}" in printed.getvalue()
    assert token not in printed.getvalue()
    assert token not in caplog.text


def test_the_command_says_what_weibo_refused(
    weibo_account: Account, fake_weibo: FakeWeiboAPI
) -> None:
    with pytest.raises(CommandError, match="21325"):
        call_command("weibo_authorize", "--account", weibo_account.code, "--code", "nope")


def test_the_fan_service_token_is_read_from_standard_input_and_kept_encrypted(
    weibo_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("new-fans-service-token\n"))

    call_command("weibo_authorize", "--account", weibo_account.code, "--fans-service-token")

    weibo_account.refresh_from_db()
    assert "new-fans-service-token" in weibo_account.credentials
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials FROM channels_account WHERE id = %s", [weibo_account.pk]
        )
        [(stored,)] = cursor.fetchall()
    assert "new-fans-service-token" not in stored


def keep_token(account: Account, lifetime: timedelta) -> None:
    AccessToken.objects.update_or_create(
        account=account,
        defaults={"token": "2.00abc", "expires_at": timezone.now() + lifetime},
    )


def test_an_account_is_flagged_with_the_date_two_weeks_before_its_token_ends(
    weibo_account: Account,
) -> None:
    keep_token(weibo_account, timedelta(days=10))

    [flagged] = flag_expiring_tokens()

    expected = timezone.localdate(timezone.now() + timedelta(days=10)).isoformat()
    assert flagged.needs_attention == f"weibo-token-expires:{expected}"
    weibo_account.refresh_from_db()
    assert weibo_account.needs_attention == f"weibo-token-expires:{expected}"


def test_an_account_whose_token_ends_later_is_not_flagged(weibo_account: Account) -> None:
    keep_token(weibo_account, WARN_BEFORE + timedelta(days=1))

    assert flag_expiring_tokens() == []


def test_an_ended_token_is_flagged_as_expired_and_the_poll_stops_before_calling(
    weibo_account: Account, fake_weibo: FakeWeiboAPI
) -> None:
    keep_token(weibo_account, timedelta(seconds=-1))

    flag_expiring_tokens()
    call_command("weibo_poll", "--account", weibo_account.code, stdout=io.StringIO())

    weibo_account.refresh_from_db()
    assert weibo_account.needs_attention == "weibo-token-invalid:expired"
    assert fake_weibo.calls == []


def test_a_failed_send_is_not_hidden_by_the_expiry_warning(weibo_account: Account) -> None:
    Account.objects.filter(pk=weibo_account.pk).update(needs_attention="send-failed:20201")
    keep_token(weibo_account, timedelta(days=3))

    flag_expiring_tokens()

    weibo_account.refresh_from_db()
    assert weibo_account.needs_attention == "send-failed:20201"


def test_authorising_again_clears_the_token_warning(
    weibo_account: Account, fake_weibo: FakeWeiboAPI
) -> None:
    keep_token(weibo_account, timedelta(days=3))
    flag_expiring_tokens()

    client.exchange_code(weibo_account, fake_weibo.issue_code())

    weibo_account.refresh_from_db()
    assert weibo_account.needs_attention == ""


def test_the_account_list_shows_the_warning_beside_the_account(
    weibo_account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    keep_token(weibo_account, timedelta(days=3))
    flag_expiring_tokens()

    call_command("accounts", "list")

    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("station-a-weibo")
    assert "! weibo-token-expires:" in line


def test_an_account_imported_from_the_matrix_can_be_authorised(
    cast: Cast, tmp_path: Path, fake_weibo: FakeWeiboAPI
) -> None:
    path = tmp_path / "matrix.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow(
            {column: "" for column in COLUMNS}
            | {
                "record": "account",
                "code": "weibo-b",
                "name": "城北派出所微博",
                "unit": cast.station_b.code,
                "channel": "weibo",
                "app_id": WEIBO_APP_KEY,
                "app_secret": WEIBO_APP_SECRET,
            }
        )
    call_command("import_matrix", str(path), stdout=io.StringIO())
    account = Account.objects.get(code="weibo-b")

    client.exchange_code(account, fake_weibo.issue_code())

    assert AccessToken.objects.filter(account=account).exists()
