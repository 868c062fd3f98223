"""Typed readers for settings that come from the environment.

Each helper fails loudly on a value it cannot read, naming the variable, so a typo in a
deployment stops the process at start-up instead of running with a silent default.
"""

import os
from pathlib import Path


class SettingError(ValueError):
    """An environment variable holds a value Beatdesk cannot use."""


def env_str(name: str, default: str = "") -> str:
    """Return the variable as text, or the default when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value else default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; accept 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default

    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name} must be a boolean (true or false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default

    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of trimmed, non-empty items."""
    items = _items(os.environ.get(name, ""))
    return items or default


def env_path(name: str, default: Path) -> Path:
    """Return the variable as an absolute path."""
    raw = os.environ.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


def env_secret(name: str) -> str:
    """Return a secret from NAME, or from the file named by NAME_FILE (for mounted secrets)."""
    direct = os.environ.get(name, "")
    if direct:
        return direct

    file_name = os.environ.get(f"{name}_FILE", "")
    if not file_name:
        return ""
    try:
        return Path(file_name).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SettingError(f"{name}_FILE names a file that cannot be read: {error}") from None


def env_secret_list(name: str) -> list[str]:
    """Return comma-separated secrets from NAME, or from the file named by NAME_FILE.

    In the file, commas and line breaks both separate the secrets, so a mounted file may
    hold one key per line.
    """
    return _items(env_secret(name).replace("\n", ","))


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]
