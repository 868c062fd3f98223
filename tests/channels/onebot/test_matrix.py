"""QQ accounts come in through the matrix like WeChat ones, their secrets encrypted."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from beatdesk.channels.matrix import COLUMNS
from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.onebot.credentials import credentials_of

UNIT = {"record": "unit", "code": "station-a", "name": "城南派出所", "kind": "station"}
ACCOUNT = {
    "record": "account",
    "code": "station-a-qq",
    "name": "城南派出所 QQ 群",
    "unit": "station-a",
    "channel": "onebot",
    "self_id": "30001",
    "api_base_url": "http://127.0.0.1:3000/",
    "access_token": "napcat-access-token",
    "secret": "napcat-signing-secret",
}


def write_csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "matrix.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_it_imports_a_onebot_account_with_encrypted_credentials(db: None, tmp_path: Path) -> None:
    call_command("import_matrix", str(write_csv(tmp_path, [UNIT, ACCOUNT])))

    account = Account.objects.get(code="station-a-qq")
    assert account.kind == ChannelKind.ONEBOT
    assert account.app_id == "30001"
    creds = credentials_of(account)
    assert creds.api_base_url == "http://127.0.0.1:3000"
    assert (creds.access_token, creds.secret) == ("napcat-access-token", "napcat-signing-secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_account WHERE id = %s", [account.pk])
        [(stored,)] = cursor.fetchall()
    assert "napcat" not in stored


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("secret", "", "needs secret"),
        ("access_token", "", "needs access_token"),
        ("api_base_url", "ftp://127.0.0.1/", "http:// or https://"),
        ("self_id", "bot", "self_id"),
    ],
)
def test_it_refuses_a_onebot_account_missing_what_it_needs(
    db: None, tmp_path: Path, column: str, value: str, problem: str
) -> None:
    with pytest.raises(CommandError, match=problem):
        call_command("import_matrix", str(write_csv(tmp_path, [UNIT, ACCOUNT | {column: value}])))

    assert not Account.objects.exists()
