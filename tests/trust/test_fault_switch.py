"""The deliberate fault of the crash harness can be switched on by a test settings module only.

Production settings read everything from the environment, so these tests try the
environment too, and a production environment running the fault's own settings module.
Where the fault is on, every channel the harness drives answers before it stores, so the
harness's proof that it can fail holds for each of them.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from beatdesk.channels.deliveries import ACK_BEFORE_COMMIT
from beatdesk.channels.models import InboundDelivery
from beatdesk.portal.humancheck import issue_token
from beatdesk.portal.views import write
from beatdesk.units.models import UnitKind
from tests.conftest import make_unit
from tests.trust.channels import STATION_CODE, Answer, Channel, channel_named, resident_text
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


def answer_unsent(channel: Channel) -> HttpResponse:
    """Return the view's answer to delivery 1, before the server has written it out."""
    sent = channel.request(1)
    headers = {name: value for name, value in sent.headers.items() if name != "Content-Type"}
    request = RequestFactory().generic(
        "POST", sent.path, sent.body, sent.headers.get("Content-Type", ""), headers=headers
    )
    match = resolve(urlsplit(sent.path).path)
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response


def close_as_the_server_does(response: HttpResponse) -> None:
    """Close the answer once it is written, keeping the test's database connection open.

    Closing ends the request, which would close the connection the test's transaction lives
    on; Django's own test client holds it open the same way.
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("kind", ["wechat", "onebot", "qqbot", "weibo"])
def test_with_the_fault_on_each_webhook_acknowledges_before_it_stores(
    kind: str, db: None, settings: object
) -> None:
    settings.BEATDESK_FAULTS = frozenset({ACK_BEFORE_COMMIT})  # type: ignore[attr-defined]
    channel = channel_named(kind)
    channel.create_account(make_unit(STATION_CODE, UnitKind.STATION, None))

    response = answer_unsent(channel)

    assert channel.acknowledged(channel.request(1), Answer(response.status_code, response.content))
    assert not InboundDelivery.objects.exists()
    close_as_the_server_does(response)
    assert InboundDelivery.objects.get().account.code == channel.code


def test_with_the_fault_on_the_portal_shows_its_receipt_before_it_stores(
    db: None, settings: object
) -> None:
    settings.BEATDESK_FAULTS = frozenset({ACK_BEFORE_COMMIT})  # type: ignore[attr-defined]
    channel = channel_named("portal")
    channel.create_account(make_unit(STATION_CODE, UnitKind.STATION, None))
    fields = {"station": STATION_CODE, "case_type": "help", "text": resident_text(1)}
    request = RequestFactory().post("/write/", fields | {"token": issue_token(time.time() - 30)})
    # The browser's CSRF token is the harness's business; this test is about the order.
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]

    response = write(request)

    assert response.status_code == 200 and b'role="status"' in response.content
    assert not InboundDelivery.objects.exists()
    close_as_the_server_does(response)
    assert InboundDelivery.objects.get().account.code == channel.code
