"""Settings a careless operator might write: SQLite without WAL. The worker must refuse them."""

from beatdesk.settings import *  # noqa: F403

DATABASES["default"]["OPTIONS"] = {  # noqa: F405
    "init_command": "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL;"
}
