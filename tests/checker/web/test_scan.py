"""`beatdesk scan`: findings on standard output; exit 0 clean, 1 needs review, 2 bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from beatdesk.checker.actions import do_allow_term
from tests.conftest import Cast


def scan(
    *args: str, stdin: bytes = b"", var: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "beatdesk.settings"}
    if var is not None:
        env["BEATDESK_VAR"] = str(var)
    result = subprocess.run(
        scan_command(*args),
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def scan_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "beatdesk", "scan", "--lang", "en", *args]


def test_a_clean_text_from_standard_input_exits_0() -> None:
    result = scan(stdin="今晚社区民警在小区门口开展防诈骗宣传，欢迎居民参加。".encode())

    assert result.returncode == 0, result.stderr
    assert "(0); readability" in result.stdout.splitlines()[-1]


def test_a_phone_number_in_a_file_exits_1_and_says_where(tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("通报如下：\n请联系13812345678。\n", encoding="utf-8")

    result = scan(str(draft))

    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "13812345678" in line)
    assert line.startswith("2:4\tReview\tPersonal data\t13812345678\t")
    assert "138****5678" in line


def test_json_output_carries_spans_into_the_text_as_written() -> None:
    text = "请联系１３８１２３４５６７８。"

    result = scan("--json", "-", stdin=text.encode())

    data = json.loads(result.stdout)
    finding = data["findings"][0]
    assert result.returncode == 1
    assert text[finding["start"] : finding["end"]] == "１３８１２３４５６７８"
    assert data["risk"] == "medium"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("/no/such/file.txt",), b"", "cannot read"),
        (("-",), "通报".encode("gbk"), "not UTF-8"),
        (("-",), ("警" * 100_001).encode(), "at most 100000"),
        (("-",), "出售\x00冰毒".encode(), "NUL character"),
    ],
)
def test_unreadable_input_exits_2_with_a_clear_message(
    args: tuple[str, ...], stdin: bytes, message: str
) -> None:
    result = scan(*args, stdin=stdin)

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_option_is_a_usage_error() -> None:
    assert scan("--no-such-option").returncode == 2


def test_a_units_lexicon_applies_with_the_unit_option(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("我们对此高度重视。", encoding="utf-8")
    do_allow_term(cast.center_operator, cast.station_a, "高度重视")

    call_command("scan", str(draft), "--unit", "county", "--lang", "en")
    county = capsys.readouterr().out
    call_command("scan", str(draft), "--unit", "station-a", "--lang", "en")
    station = capsys.readouterr().out

    assert "高度重视" in county
    assert "高度重视" not in station


def test_an_unknown_unit_exits_2(db: None, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("你好", encoding="utf-8")

    with pytest.raises(CommandError, match="no unit with code 'nowhere'") as raised:
        call_command("scan", str(draft), "--unit", "nowhere")

    assert raised.value.returncode == 2


def test_an_unknown_language_is_a_usage_error() -> None:
    result = scan("--lang", "fr", stdin="你好".encode())

    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_a_unit_without_a_database_set_up_exits_2(tmp_path: Path) -> None:
    result = scan("--unit", "station-a", stdin="你好".encode(), var=tmp_path)

    assert result.returncode == 2
    assert "beatdesk migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_offsets_count_a_leading_byte_order_mark_as_the_api_does() -> None:
    text = "\ufeff出售冰毒"

    result = scan("--json", stdin=text.encode())

    finding = json.loads(result.stdout)["findings"][0]
    assert (finding["start"], finding["end"]) == (1, 5)
    assert text[finding["start"] : finding["end"]] == "出售冰毒"


def test_control_characters_of_the_text_are_listed_as_escapes() -> None:
    result = scan(stdin="出\x1b售冰毒。出\t售\t冰\t毒".encode())

    listed = result.stdout.splitlines()[:-1]
    assert "\x1b" not in result.stdout
    assert any("出\\x1b售冰毒" in line for line in listed)
    assert any("出\\t售\\t冰\\t毒" in line for line in listed)
    assert all(line.count("\t") == 4 for line in listed)


def test_output_closed_early_exits_2_without_a_traceback() -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            scan_command(),
            input="出售冰毒。".encode() * 200,
            stdout=writer,
            stderr=subprocess.PIPE,
            env=os.environ | {"DJANGO_SETTINGS_MODULE": "beatdesk.settings"},
            timeout=60,
        )
    finally:
        os.close(writer)

    assert result.returncode == 2
    assert b"Traceback" not in result.stderr


def test_a_text_with_more_findings_than_are_listed_says_how_many_more() -> None:
    result = scan(stdin=("冰毒，" * 600).encode())

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "… and 101 more, not listed" in result.stdout
    assert len(result.stdout.splitlines()) == 502
