"""Production settings pass Django's deployment check; only webhooks skip CSRF."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

# Views that skip Django's CSRF middleware, and why each may.
CSRF_EXEMPT = {
    # Channel webhooks: the channel signs each request instead of a browser cookie.
    "beatdesk.channels.wechat.views.wechat_hook",
    "beatdesk.channels.onebot.views.onebot_hook",
    "beatdesk.channels.weibo.views.weibo_hook",
    "beatdesk.channels.qqbot.views.qqbot_hook",
    # Token callers have no cookie; a session caller's CSRF token is checked in the view.
    "beatdesk.checker.views.api_check",
    # Open311 apps post form data without a cookie, as the spec has them do.
    "beatdesk.portal.open311.views.service_requests",
    # The portal form keeps uploads in memory; its CSRF token is checked inside the view.
    "beatdesk.portal.views.write",
}


def _views(patterns: list[URLPattern | URLResolver]) -> list[object]:
    found: list[object] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern.url_patterns)
        else:
            found.append(pattern.callback)
    return found


def test_the_deployment_check_passes_with_production_settings(tmp_path: Path) -> None:
    env = os.environ | {
        "BEATDESK_ENV": "production",
        "BEATDESK_SECRET_KEY": "a-production-secret-key-" + "x" * 40,
        "BEATDESK_FIELD_KEY": "a-production-field-key-" + "y" * 20,
        "BEATDESK_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "beatdesk.settings",
    }

    result = subprocess.run(
        [sys.executable, "-m", "beatdesk", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr


def test_the_csrf_exempt_views_are_exactly_the_webhooks_and_the_token_api() -> None:
    exempt = {
        f"{view.__module__}.{getattr(view, '__name__', '')}"
        for view in _views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False)
    }

    assert exempt == CSRF_EXEMPT
