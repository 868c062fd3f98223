"""Warning operators before a Weibo token runs out: Weibo gives no refresh to servers.

A token lasts from a day to five years depending on the app's level; when it ends, only
the account's owner signing in again helps. So the account is flagged `needs_attention`
a set number of days ahead, with the date, wherever accounts are listed.
"""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from beatdesk.channels.models import AccessToken, Account, ChannelKind

logger = logging.getLogger(__name__)

WARN_BEFORE = timedelta(days=14)
EXPIRES_FLAG = "weibo-token-expires:"
EXPIRED_FLAG = "weibo-token-expired"


def _flag_for(expires_at: datetime, now: datetime) -> str:
    if expires_at <= now:
        return EXPIRED_FLAG
    if expires_at - now <= WARN_BEFORE:
        return EXPIRES_FLAG + timezone.localdate(expires_at).isoformat()
    return ""


def flag_expiring_tokens(now: datetime | None = None) -> list[Account]:
    """Flag every Weibo account whose token ends within WARN_BEFORE; return those flagged.

    A flag of another kind (a failed send) is left in place: it is the more urgent one.
    """
    moment = now or timezone.now()
    tokens = AccessToken.objects.filter(
        account__kind=ChannelKind.WEIBO, expires_at__lte=moment + WARN_BEFORE
    ).select_related("account")
    flagged = []
    for held in tokens:
        account = held.account
        if held.expires_at is None:
            continue
        flag = _flag_for(held.expires_at, moment)
        current = account.needs_attention
        if current and not current.startswith("weibo-token"):
            continue
        if current != flag:
            Account.objects.filter(pk=account.pk).update(needs_attention=flag)
            account.needs_attention = flag
            logger.warning("weibo token ending account=%s flag=%s", account.code, flag)
        flagged.append(account)
    return flagged
