"""`beatdesk import-matrix`: all or nothing, with line numbers; `accounts list` for scripts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from beatdesk.channels.matrix import COLUMNS
from beatdesk.channels.models import Account
from beatdesk.units.models import RoleAssignment, Unit, User

HEADER = ",".join(COLUMNS)


def row(**values: str) -> str:
    return ",".join(values.get(column, "") for column in COLUMNS)


GOOD = [
    row(record="unit", code="p", name="省厅", kind="province"),
    row(record="unit", code="s1", name="一所", kind="station", parent="p", region_type="rural"),
    row(
        record="person",
        username="anna",
        display_name="安娜",
        unit="s1",
        role="officer;duty_officer",
    ),
    row(
        record="account",
        code="wx-s1",
        name="一所公众号",
        channel="wechat",
        unit="s1",
        app_id="wx1",
        original_id="gh_1",
        token="t",
        encoding_aes_key="k" * 43,
        app_secret="s",
    ),
]


def write_csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "matrix.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_it_imports_units_people_and_accounts(db: None, tmp_path: Path) -> None:
    call_command("import_matrix", str(write_csv(tmp_path, GOOD)))

    station = Unit.objects.get(code="s1")
    assert station.parent == Unit.objects.get(code="p")
    assert station.path.startswith(Unit.objects.get(code="p").path)
    roles = set(
        RoleAssignment.objects.filter(user__username="anna").values_list("role", flat=True)
    )
    assert roles == {"officer", "duty_officer"}
    assert Account.objects.get(code="wx-s1").unit == station


def test_it_changes_nothing_when_the_same_file_is_imported_again(db: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD)
    call_command("import_matrix", str(path))
    counts = (Unit.objects.count(), User.objects.count(), Account.objects.count())

    call_command("import_matrix", str(path))

    assert (Unit.objects.count(), User.objects.count(), Account.objects.count()) == counts


def test_it_imports_nothing_and_names_each_bad_line(db: None, tmp_path: Path) -> None:
    lines = [
        *GOOD[:2],
        row(record="unit", code="s2", name="二所", kind="station", parent="nowhere"),
        row(record="person", username="bo", unit="s1", role="sheriff"),
    ]

    with pytest.raises(CommandError) as error:
        call_command("import_matrix", str(write_csv(tmp_path, lines)))

    assert "line 4" in str(error.value) and "nowhere" in str(error.value)
    assert "line 5" in str(error.value) and "sheriff" in str(error.value)
    assert not Unit.objects.exists()
    assert not User.objects.exists()


def test_it_refuses_a_second_organ_account_for_the_same_unit_and_platform(
    db: None, tmp_path: Path
) -> None:
    second = row(
        record="account", code="wx-s1-b", name="又一个", channel="wechat", unit="s1", token="t"
    )

    with pytest.raises(CommandError, match="line 6"):
        call_command("import_matrix", str(write_csv(tmp_path, [*GOOD, second])))

    assert not Account.objects.exists()


def test_it_imports_the_same_matrix_from_excel(db: None, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    for line in GOOD:
        sheet.append(line.split(","))
    path = tmp_path / "matrix.xlsx"
    book.save(path)

    call_command("import_matrix", str(path))

    assert Account.objects.get(code="wx-s1").unit.code == "s1"


def test_it_lists_accounts_as_json_without_secrets(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_matrix", str(write_csv(tmp_path, GOOD)))
    capsys.readouterr()

    call_command("accounts", "list", "--json")

    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {"code": "wx-s1", "kind": "wechat", "unit": "s1", "endpoint": "/hooks/wechat/wx-s1/"}
    ]


def test_it_keeps_credentials_encrypted_in_the_database(db: None, tmp_path: Path) -> None:
    call_command("import_matrix", str(write_csv(tmp_path, GOOD)))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_account")
        stored = cursor.fetchone()[0]

    assert "k" * 43 not in stored
    assert json.loads(Account.objects.get().credentials)["encoding_aes_key"] == "k" * 43


def test_a_command_on_an_unmigrated_database_says_to_migrate(tmp_path: Path) -> None:
    env = os.environ | {
        "BEATDESK_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
    }
    script = (
        "import sys; from beatdesk.cli import main; "
        "sys.argv = ['beatdesk', 'accounts', 'list']; main()"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert (
        result.stderr.strip() == "The database has no Beatdesk tables yet: run `beatdesk migrate`."
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("m.csv", (HEADER + "\n").encode() + "unit,s,一所,station\n".encode("gbk"), "not UTF-8"),
        ("m.xlsx", b"PK\x03\x04 this is not a workbook", "not an Excel workbook"),
        ("m.csv", b"", "no rows"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_error_and_change_nothing(
    db: None, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)

    with pytest.raises(CommandError, match=message):
        call_command("import_matrix", str(path))

    assert not Unit.objects.exists()
