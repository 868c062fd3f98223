"""Settings read from the environment: secrets directly or from mounted files."""

from pathlib import Path

import pytest

from beatdesk.conf import SettingError, env_secret, env_secret_list


def mount(monkeypatch: pytest.MonkeyPatch, path: Path, variable: str, content: str) -> None:
    """Write a secret file, as an orchestrator mounts one, and name it in VARIABLE_FILE."""
    path.write_text(content, encoding="utf-8")
    monkeypatch.setenv(f"{variable}_FILE", str(path))


def test_a_secret_comes_from_its_variable_before_its_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mount(monkeypatch, tmp_path / "key", "BEATDESK_TEST_SECRET", "from-the-file\n")

    from_file = env_secret("BEATDESK_TEST_SECRET")
    monkeypatch.setenv("BEATDESK_TEST_SECRET", "from-the-variable")

    assert from_file == "from-the-file"
    assert env_secret("BEATDESK_TEST_SECRET") == "from-the-variable"


def test_old_keys_may_come_from_a_mounted_file_one_a_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keys = "first-old-key\n\nsecond-old-key, third-old-key\n"
    mount(monkeypatch, tmp_path / "old-keys", "BEATDESK_TEST_OLD_KEYS", keys)

    assert env_secret_list("BEATDESK_TEST_OLD_KEYS") == [
        "first-old-key",
        "second-old-key",
        "third-old-key",
    ]


def test_old_keys_in_the_variable_are_separated_by_commas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BEATDESK_TEST_OLD_KEYS", " one , two,")

    assert env_secret_list("BEATDESK_TEST_OLD_KEYS") == ["one", "two"]


def test_a_secret_file_that_cannot_be_read_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BEATDESK_TEST_OLD_KEYS_FILE", str(tmp_path / "missing"))

    with pytest.raises(SettingError, match="BEATDESK_TEST_OLD_KEYS_FILE"):
        env_secret_list("BEATDESK_TEST_OLD_KEYS")
