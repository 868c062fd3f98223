"""When a resident's new message takes up a closed case again, and when it starts a new one.

A duty desk wants one story per matter. Within the reopening period after a case was
resolved or closed (`BEATDESK_REOPEN_DAYS`, default 7), whatever the resident writes on
the same conversation reopens that case and is threaded there, with a fresh deadline;
a message that only says thanks is threaded there too but leaves the case closed. After
the period a message opens a new case that names the earlier one, so the officer sees
the history without an old case coming back to life.
"""

import re
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from beatdesk.inbox.models import Case, CaseStatus, Resident

CLOSED_STATUSES = [CaseStatus.RESOLVED, CaseStatus.CLOSED]

# A message made only of these (and punctuation or emoji) is a thank-you, not a new turn;
# it must hold a word of thanks, and may add how the resident addresses the officers.
THANKS = (
    r"谢谢|多谢|感谢|谢了|辛苦了|辛苦|好的|好滴|收到|知道了|明白了|了解"
    r"|ok|okay|thanks|thankyou|thx"
)
ADDRESS = r"警官|民警|同志|警察|叔叔|阿姨|您们|您|你们|你|大家|啦|了|啊|呀|哈|嗯|好"
THANKS_WORDS = re.compile(rf"(?:{THANKS}|{ADDRESS})+")
THANKS_WORD = re.compile(THANKS)
# "还没解决" and the like are read as reopening anyway; the words are listed so that a
# thank-you followed by them ("谢谢，但是还没解决") is never taken for thanks alone.
NOT_SETTLED = re.compile(r"没(有)?解决|没(有)?处理|不满意|还是不行|重新|再次")


def reopen_period() -> timedelta:
    """Return how long after closing a resident's message reopens their case."""
    return timedelta(days=settings.REOPEN_PERIOD_DAYS)


def is_thanks_only(text: str) -> bool:
    """Return whether a message says nothing but thanks or okay."""
    plain = unicodedata.normalize("NFKC", text).lower()
    if NOT_SETTLED.search(plain):
        return False
    letters = "".join(ch for ch in plain if unicodedata.category(ch)[0] in {"L", "N"})
    if not letters:
        # A thumbs-up or a smile alone; a bare "?" or "!" is a question, not thanks.
        return any(unicodedata.category(ch) == "So" for ch in plain)
    return bool(THANKS_WORDS.fullmatch(letters) and THANKS_WORD.search(letters))


def may_reopen(case: Case, now: datetime | None = None) -> bool:
    """Return whether the case is closed recently enough for its resident to reopen it."""
    if case.status not in CLOSED_STATUSES or case.closed_at is None or case.merged_into_id:
        return False
    return (now or timezone.now()) - case.closed_at <= reopen_period()


def recently_closed(resident: Resident) -> Case | None:
    """Return the resident's case closed within the reopening period, newest first."""
    since = timezone.now() - reopen_period()
    return (
        Case.objects.filter(resident=resident, status__in=CLOSED_STATUSES, closed_at__gte=since)
        .select_related("merged_into")
        .order_by("-closed_at", "-pk")
        .first()
    )


def earlier_case(resident: Resident) -> Case | None:
    """Return the resident's latest closed case, which a new case continues."""
    return (
        Case.objects.filter(resident=resident, status__in=CLOSED_STATUSES)
        .order_by("-closed_at", "-pk")
        .first()
    )
