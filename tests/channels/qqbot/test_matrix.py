"""Official QQ bots come in through the matrix with their AppID, the secret encrypted."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from beatdesk.channels.matrix import COLUMNS
from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.qqbot.credentials import credentials_of

UNIT = {"record": "unit", "code": "station-a", "name": "城南派出所", "kind": "station"}
ACCOUNT = {
    "record": "account",
    "code": "station-a-qqbot",
    "name": "城南派出所 QQ 机器人",
    "unit": "station-a",
    "channel": "qqbot",
    "app_id": "102030001",
    "app_secret": "qqbot-app-secret-0001",
}


def write_csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "matrix.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_it_imports_a_qq_bot_with_its_app_id_and_an_encrypted_secret(
    db: None, tmp_path: Path
) -> None:
    call_command("import_matrix", str(write_csv(tmp_path, [UNIT, ACCOUNT])))

    account = Account.objects.get(code="station-a-qqbot")
    assert (account.kind, account.app_id) == (ChannelKind.QQBOT, "102030001")
    assert credentials_of(account).app_secret == "qqbot-app-secret-0001"
    assert account.endpoint == "/hooks/qqbot/station-a-qqbot/"
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_account WHERE id = %s", [account.pk])
        [(stored,)] = cursor.fetchall()
    assert "qqbot-app-secret" not in stored


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"app_secret": ""}, "needs app_secret"),
        ({"app_id": ""}, "needs app_id"),
        ({"app_id": "１０２"}, "needs app_id"),
    ],
)
def test_it_refuses_a_qq_bot_without_a_secret_or_a_numeric_app_id(
    db: None, tmp_path: Path, change: dict[str, str], problem: str
) -> None:
    path = write_csv(tmp_path, [UNIT, ACCOUNT | change])

    with pytest.raises(CommandError, match=problem):
        call_command("import_matrix", str(path))

    assert not Account.objects.exists()
