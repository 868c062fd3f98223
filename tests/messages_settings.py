"""Settings for extracting messages from a copy of the package, never from the real one."""

import os
from pathlib import Path

from tests.settings import *  # noqa: F403

LOCALE_PATHS = [Path(os.environ["BEATDESK_MESSAGES_COPY"]) / "locale"]
