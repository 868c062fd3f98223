"""Django settings for Beatdesk, read from the environment with safe defaults for a clone.

Every variable is listed, with its default, in the settings table of README.md.
"""

import hashlib
import ipaddress
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP

from beatdesk.conf import (
    SettingError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_secret_list,
    env_str,
)
from beatdesk.core.taskstore import TaskFile

django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = env_path("BEATDESK_HOME", PACKAGE_DIR.parent)
VAR_DIR = env_path("BEATDESK_VAR", HOME / "var")
# The SQLite database and the task store live here; a fresh clone needs no setup.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# "production" turns every safety check into a start-up failure instead of a default.
ENVIRONMENT = env_str("BEATDESK_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise SettingError("BEATDESK_ENV must be development or production")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("BEATDESK_DEBUG", False)
if PRODUCTION and DEBUG:
    raise SettingError("BEATDESK_DEBUG cannot be on when BEATDESK_ENV is production")

SECRET_KEY = env_secret("BEATDESK_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise SettingError("BEATDESK_SECRET_KEY must be set in production")
    # A clone gets a stable development key derived from its own path, never a shared one.
    SECRET_KEY = "dev-" + hashlib.sha256(str(HOME).encode()).hexdigest()

# The key that encrypts channel credentials at rest; distinct from SECRET_KEY so that it can
# be rotated on its own. Development derives one so a fresh clone works without setup.
FIELD_ENCRYPTION_KEY = env_secret("BEATDESK_FIELD_KEY")
if not FIELD_ENCRYPTION_KEY:
    if PRODUCTION:
        raise SettingError("BEATDESK_FIELD_KEY must be set in production")
    FIELD_ENCRYPTION_KEY = hashlib.sha256(("field-" + SECRET_KEY).encode()).hexdigest()
# Keys being rotated out: they still decrypt (and still find residents by channel id) until
# `beatdesk rotate-field-key` has rewritten every value with the key above.
FIELD_ENCRYPTION_OLD_KEYS = env_secret_list("BEATDESK_FIELD_OLD_KEYS")

ALLOWED_HOSTS = env_list("BEATDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# Addresses of our own reverse proxies; only their X-Forwarded-For is believed.
TRUSTED_PROXIES = env_list("BEATDESK_TRUSTED_PROXIES", [])
CSRF_TRUSTED_ORIGINS = env_list("BEATDESK_CSRF_TRUSTED_ORIGINS", [])
PUBLIC_BASE_URL = env_str("BEATDESK_PUBLIC_URL", "http://127.0.0.1:8000")
# How many days after a case is closed the resident's next message reopens it (0: never).
REOPEN_PERIOD_DAYS = env_int("BEATDESK_REOPEN_DAYS", 7)
if not 0 <= REOPEN_PERIOD_DAYS <= 365:
    raise SettingError("BEATDESK_REOPEN_DAYS must be between 0 and 365")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "huey.contrib.djhuey",
    "beatdesk.core",
    "beatdesk.units",
    "beatdesk.audit",
    "beatdesk.channels",
    "beatdesk.checker",
    "beatdesk.inbox",
    "beatdesk.portal",
    "beatdesk.reports",
    "beatdesk.retention",
    "beatdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen, so the codes' messages are in the reader's language.
    "beatdesk.errors.ErrorBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "beatdesk.core.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "beatdesk.core.middleware.RequestLogMiddleware",
]

CSRF_FAILURE_VIEW = "beatdesk.errors.csrf_failure"
ROOT_URLCONF = "beatdesk.urls"
WSGI_APPLICATION = "beatdesk.wsgi.application"
AUTH_USER_MODEL = "units.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:case_list"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "beatdesk.inbox.context_processors.emergencies",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict[str, object]:
    """Build the database settings; SQLite gets WAL and full fsync for durability."""
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Kept open between requests: a new connection reads the whole schema again before
        # its first query, which cost each webhook about 2 ms of CPU (bench/RESULTS.md).
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
    else:
        raise SettingError("DATABASE_URL must be a sqlite:/// or postgres:// address")
    return config


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'beatdesk.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end packages come from the npm registry through package-lock.json (`make` runs
# `npm ci`); they are served from node_modules and never copied into the repository.
NODE_MODULES = env_path("BEATDESK_NODE_MODULES", HOME / "node_modules")
VENDORED_ASSETS = {"vendor/htmx": NODE_MODULES / "htmx.org" / "dist"}
if PRODUCTION and not all(folder.is_dir() for folder in VENDORED_ASSETS.values()):
    raise SettingError("front-end packages are missing: run `npm ci` in BEATDESK_HOME")
STATICFILES_DIRS = [PACKAGE_DIR / "static", *VENDORED_ASSETS.items()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Scripts and styles come only from our own origin; no inline script anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
# Staff sessions: signed out after this long idle, and after this long in any case.
SESSION_IDLE_SECONDS = env_int("BEATDESK_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = env_int("BEATDESK_SESSION_MAX_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
# Every staff sign-in asks for a code from an authenticator app after the password.
REQUIRE_SECOND_FACTOR = env_bool("BEATDESK_REQUIRE_SECOND_FACTOR", True)
SECOND_FACTOR_ISSUER = env_str("BEATDESK_SECOND_FACTOR_ISSUER", "Beatdesk")
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production runs behind TLS: plain HTTP is redirected and browsers told to stay on HTTPS.
# The health check stays reachable over plain HTTP for load balancers on the inside.
SECURE_SSL_REDIRECT = env_bool("BEATDESK_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("BEATDESK_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
# A police platform's domain serves nothing over plain HTTP; an operator sharing the domain
# with older services can turn these off.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BEATDESK_HSTS_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("BEATDESK_HSTS_PRELOAD", PRODUCTION)
if env_bool("BEATDESK_BEHIND_TLS_PROXY", False):
    # Only set this when the proxy overwrites the header on every request.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Webhook bodies are read raw; this caps every other request body the same way.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Days residents' personal data is kept per case type after a case closes, e.g.
# "tip=1095,chat=184"; never under 184 (beatdesk/retention/policy.py).
RETENTION_DAYS = env_str("BEATDESK_RETENTION_DAYS", "")

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    HUEY: dict[str, object] = {
        # A sorted set rather than a list, so an emergency's step jumps the queue (Redis 5+).
        "huey_class": "huey.PriorityRedisHuey",
        "name": "beatdesk",
        "immediate": False,
        "connection": {"url": REDIS_URL},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "beatdesk",
        "immediate": False,
        "filename": str(VAR_DIR / "huey.sqlite3"),
        # Synced at checkpoints only: the queue wakes workers, our database is the record.
        "storage_class": TaskFile,
    }

# Channel endpoints. Tests and the demo point these at local fakes on 127.0.0.1.
WECHAT_API_BASE_URL = env_str("BEATDESK_WECHAT_API", "https://api.weixin.qq.com")
WEIBO_API_BASE_URL = env_str("BEATDESK_WEIBO_API", "https://api.weibo.com")
# The fan-service reply API of verified (blue V) accounts lives on its own host.
WEIBO_MESSAGES_API_BASE_URL = env_str("BEATDESK_WEIBO_MESSAGES_API", "https://m.api.weibo.com")
# Loopback and private networks a OneBot HTTP API may live at (a station's NapCat on its own
# machine or LAN). Public addresses are always allowed; link-local ones never.
ONEBOT_API_NETWORKS = env_list(
    "BEATDESK_ONEBOT_API_NETWORKS", [] if PRODUCTION else ["127.0.0.0/8", "::1/128"]
)
for _network in ONEBOT_API_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise SettingError(
            f"BEATDESK_ONEBOT_API_NETWORKS: {_network!r} is not a network"
        ) from None
QQBOT_API_BASE_URL = env_str("BEATDESK_QQBOT_API", "https://api.sgroup.qq.com")
QQBOT_TOKEN_URL = env_str("BEATDESK_QQBOT_TOKEN_URL", "https://bots.qq.com/app/getAppAccessToken")
WEBHOOK_MAX_BYTES = env_int("BEATDESK_WEBHOOK_MAX_BYTES", 64 * 1024)
WEBHOOK_TIMESTAMP_WINDOW = env_int("BEATDESK_WEBHOOK_WINDOW_SECONDS", 300)

# The worker shares its machine with the webhooks, whose acknowledgement is the promise:
# it lowers its own CPU priority by this much (0 to 19) and rests this many milliseconds
# after each inbox step, so that a burst makes the inbox step lag, not the answers. While
# pushes arrive at WORKER_YIELD_RATE a second it rests as long as each step took, at twice
# that rate twice as long (up to a second); 0 turns that off.
WORKER_NICE = env_int("BEATDESK_WORKER_NICE", 10)
WORKER_PAUSE_MS = env_int("BEATDESK_WORKER_PAUSE_MS", 5)
WORKER_YIELD_RATE = env_int("BEATDESK_WORKER_YIELD_RATE", 20)
WORKER_THREADS = env_int("BEATDESK_WORKER_THREADS", 2)

LOG_LEVEL = env_str("BEATDESK_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "beatdesk.core.logs.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "filters": {"without_traceback": {"()": "beatdesk.core.logs.WithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "console_short": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["without_traceback"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # A refused request (too many fields, a bad Host) is logged as one line.
        "django.security": {"handlers": ["console_short"], "level": "WARNING", "propagate": False},
        # Huey's consumer adds a handler of its own to a logger that has none, which printed
        # every line twice; with ours in place it leaves the logger alone.
        "huey": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
