"""The worker reads back the QQ chats' recent history every ten minutes (see reconcile.py)."""

import logging
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from beatdesk.channels.onebot.reconcile import reconcile_all

logger = logging.getLogger(__name__)

# Twice the interval, so one run that failed or came late leaves no gap.
WINDOW = timedelta(minutes=20)


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def reconcile_onebot() -> None:
    """Every ten minutes: store any QQ message of the last twenty that never reached us."""
    report = reconcile_all(WINDOW)
    if report.recovered:
        logger.warning("onebot messages recovered from history count=%s", report.recovered)
