"""The Weibo poll, run by the worker every five minutes (Weibo suggests three to five)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from beatdesk.channels.weibo.expiry import flag_expiring_tokens
from beatdesk.channels.weibo.poll import accounts_to_poll, poll_account

logger = logging.getLogger(__name__)


def poll_all() -> int:
    """Poll every active Weibo account once; return how many items were newly stored."""
    stored = 0
    for account in accounts_to_poll():
        # One account's trouble must not hold back the others.
        try:
            stored += poll_account(account).stored
        except Exception:
            logger.exception("weibo poll failed account=%s", account.code)
    return stored


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def poll_weibo() -> None:
    """Every five minutes: warn of ending tokens, then read every account's lists."""
    flag_expiring_tokens()
    stored = poll_all()
    if stored:
        logger.info("weibo poll stored=%s", stored)
