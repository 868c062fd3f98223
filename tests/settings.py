"""Test settings: Beatdesk's own, with tasks run inline and fast password hashing."""

from beatdesk.settings import *  # noqa: F403

HUEY = {"huey_class": "huey.MemoryHuey", "name": "beatdesk-tests", "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WECHAT_API_BASE_URL = "http://127.0.0.1:9"  # unroutable by default; tests start a fake
# Servers started by tests (the demo's) must not keep connections that block teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
