"""Front-end packages come from npm through the lock file and are served by us, not a CDN."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_htmx_is_served_from_the_installed_npm_package_at_the_locked_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    locked = lock["packages"]["node_modules/htmx.org"]["version"]

    found = finders.find("vendor/htmx/htmx.min.js")

    assert found is not None, "run `make venv` (npm ci) to install the front-end packages"
    installed = json.loads(
        (settings.NODE_MODULES / "htmx.org" / "package.json").read_text(encoding="utf-8")
    )
    assert installed["version"] == locked
    assert Path(str(found)).read_text(encoding="utf-8").startswith("var htmx")


def test_pages_load_htmx_from_our_own_static_files_and_no_other_host() -> None:
    body = Client().get("/login/").content.decode()

    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in body
    assert "https://" not in body.replace('content="width=device-width', "")
    assert "<script>" not in body
