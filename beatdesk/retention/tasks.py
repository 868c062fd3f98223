"""The nightly purge, run by the worker."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from beatdesk.retention.actions import do_purge

logger = logging.getLogger(__name__)


# 19:30 UTC is 03:30 in Beijing, when nobody is on the inbox.
@db_periodic_task(crontab(hour="19", minute="30"))  # type: ignore[untyped-decorator]
def nightly_purge() -> None:
    """Purge what is due; a large backlog is worked off over the following nights."""
    do_purge(timezone.now())
