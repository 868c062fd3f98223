"""Fuzz every parser a stranger's bytes reach, with atheris, for a fixed time or run count.

CI gives each channel parser 30 seconds (BEATDESK_FUZZ_SECONDS changes it) and the other
parsers 10; `make test-long` gives each a million executions. Each run is its own process
(libFuzzer owns the process and exits when done); it passes when it ends without a crash,
a hang over ten seconds or running out of memory.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHANNEL_PARSERS = ["wechat", "onebot", "qqbot", "weibo-push", "weibo-page", "open311"]
OTHER_PARSERS = ["json", "lexicon", "checker"]
LONG_RUNS = 1_000_000
EXECUTED = re.compile(r"stat::number_of_executed_units: (\d+)")


def _fuzz(target: str, *budget: str, timeout: float) -> tuple[int, str, int]:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.run", target, *budget],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = completed.stdout + completed.stderr
    found = EXECUTED.search(output)
    return completed.returncode, output, int(found.group(1)) if found else 0


def _seconds(default: int) -> int:
    return int(os.environ.get("BEATDESK_FUZZ_SECONDS", default))


@pytest.mark.fuzz
@pytest.mark.parametrize("target", CHANNEL_PARSERS)
def test_a_channel_parser_survives_thirty_seconds_of_fuzzing(target: str) -> None:
    seconds = _seconds(30)

    code, output, executed = _fuzz(target, "--seconds", str(seconds), timeout=seconds + 120)

    assert code == 0, output[-3000:]
    assert executed > 1000
    print(f"{target}: {executed} executions in {seconds} s")


@pytest.mark.fuzz
@pytest.mark.parametrize("target", OTHER_PARSERS)
def test_the_json_lexicon_and_text_readers_survive_fuzzing(target: str) -> None:
    seconds = min(_seconds(30), 10)

    code, output, executed = _fuzz(target, "--seconds", str(seconds), timeout=seconds + 120)

    assert code == 0, output[-3000:]
    assert executed > 1000


@pytest.mark.fuzz
def test_a_planted_crash_is_found_and_fails_the_run() -> None:
    code, output, _executed = _fuzz("canary", "--seconds", "60", timeout=180)

    assert code != 0
    assert "planted bug" in output
    crash = re.search(r"Test unit written to (\S+)", output)
    assert crash is not None
    assert Path(crash.group(1)).read_bytes().startswith(b"{!")


@pytest.mark.long
@pytest.mark.parametrize("target", CHANNEL_PARSERS + OTHER_PARSERS)
def test_every_parser_survives_a_million_executions(target: str) -> None:
    code, output, executed = _fuzz(target, "--runs", str(LONG_RUNS), timeout=4 * 3600)

    assert code == 0, output[-3000:]
    assert executed >= LONG_RUNS
    print(f"{target}: {executed} executions")
