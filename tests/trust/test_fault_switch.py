"""The deliberate fault of the crash harness can be switched on by a test settings module only.

Production settings read everything from the environment, so these tests try the
environment too, and a production environment running the fault's own settings module.
"""

import os
import subprocess
import sys
from pathlib import Path

from tests.trust.sites import REPO_ROOT

ASK = (
    "import django; django.setup(); "
    "from beatdesk.channels.deliveries import ACK_BEFORE_COMMIT, fault_is_on; "
    "print(fault_is_on(ACK_BEFORE_COMMIT))"
)


def fault_is_on_with(settings: str, tmp_path: Path, **environment: str) -> str:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": settings,
        "BEATDESK_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(REPO_ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", ASK],
        env=env | environment,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def production_environment(tmp_path: Path) -> dict[str, str]:
    assets = tmp_path / "node_modules" / "htmx.org" / "dist"
    assets.mkdir(parents=True)
    return {
        "BEATDESK_ENV": "production",
        "BEATDESK_SECRET_KEY": "trust-production-secret-key-0123456789",
        "BEATDESK_FIELD_KEY": "trust-production-field-key-0123456789",
        "BEATDESK_NODE_MODULES": str(tmp_path / "node_modules"),
    }


def test_the_fault_settings_module_turns_the_fault_on_outside_production(tmp_path: Path) -> None:
    assert fault_is_on_with("tests.trust.fault_settings", tmp_path) == "True"


def test_the_product_settings_cannot_turn_the_fault_on_from_the_environment(
    tmp_path: Path,
) -> None:
    named = {"BEATDESK_FAULTS": "ack-before-commit"}

    assert fault_is_on_with("beatdesk.settings", tmp_path, **named) == "False"
    production = production_environment(tmp_path) | named
    assert fault_is_on_with("beatdesk.settings", tmp_path, **production) == "False"


def test_a_production_environment_ignores_even_the_fault_settings_module(tmp_path: Path) -> None:
    production = production_environment(tmp_path)

    assert fault_is_on_with("tests.trust.fault_settings", tmp_path, **production) == "False"


def test_no_module_of_the_product_defines_a_fault() -> None:
    package = REPO_ROOT / "beatdesk"
    naming = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in package.rglob("*.py")
        if "BEATDESK_FAULTS" in path.read_text(encoding="utf-8")
    ]

    assert naming == ["beatdesk/channels/deliveries.py"]
    reader = (package / "channels" / "deliveries.py").read_text(encoding="utf-8")
    assert 'getattr(settings, "BEATDESK_FAULTS", frozenset())' in reader
    assert "BEATDESK_FAULTS =" not in reader
