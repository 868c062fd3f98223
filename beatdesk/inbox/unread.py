"""The inbox's named lists, and which cases hold a resident's message the user has not read.

A person has read a case up to the newest inbound message the case page showed them
(`ReadMark`). Counting works on the user's visible cases only (`cases_for`) and takes one
query for every list together, however many cases there are.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beatdesk.inbox.access import cases_for
from beatdesk.inbox.models import OPEN_STATUSES, Case, Direction, Message, ReadMark
from beatdesk.units.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseList:
    """One named list of the inbox, chosen with `?list=<slug>`."""

    slug: str
    label: str | Promise


CASE_LISTS = [
    CaseList("mine", _("Mine")),
    CaseList("unassigned", _("Unassigned")),
    CaseList("open", _("Open in my units")),
    CaseList("overdue", _("Overdue")),
    CaseList("all", _("All cases")),
]
DEFAULT_LIST = "open"
LIST_SLUGS = {case_list.slug for case_list in CASE_LISTS}


def list_filter(slug: str, user: User, now: datetime) -> Q:
    """Return the filter that picks a named list's cases out of the user's visible ones."""
    is_open = Q(status__in=OPEN_STATUSES)
    filters = {
        "mine": is_open & Q(assignee=user),
        "unassigned": is_open & Q(assignee__isnull=True),
        "open": is_open,
        "overdue": is_open & Q(deadline__lt=now),
        "all": Q(),
    }
    return filters[slug]


def with_unread(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """Annotate each case with `unread`: it holds an inbound message newer than the user's mark.

    A case the user never opened counts from zero, so its first message is news to them.
    """
    mark = ReadMark.objects.filter(user=user, case=OuterRef("pk")).values("seen_up_to")[:1]
    news = Message.objects.filter(
        case=OuterRef("pk"), direction=Direction.INBOUND, pk__gt=OuterRef("read_up_to")
    )
    return cases.annotate(read_up_to=Coalesce(Subquery(mark), Value(0))).annotate(
        unread=Exists(news)
    )


def unread_counts(user: User, now: datetime) -> dict[str, int]:
    """Count, for every named list, the user's visible cases that hold unread news."""
    unread = Q(unread=True)
    counts = {
        case_list.slug: Count("pk", filter=unread & list_filter(case_list.slug, user, now))
        for case_list in CASE_LISTS
    }
    found: dict[str, int] = with_unread(cases_for(user), user).aggregate(**counts)
    return found


def mark_case_read(user: User, case: Case) -> None:
    """Record that the user has now seen every inbound message the case holds.

    Not audited: each opening of a case is already on the record as `case.viewed`. The mark
    only ever moves forward, so a slow request cannot undo a later one.
    """
    newest = Message.objects.filter(case=case, direction=Direction.INBOUND).aggregate(
        newest=Max("pk")
    )["newest"]
    if newest is None:
        return
    mark, created = ReadMark.objects.get_or_create(
        user=user, case=case, defaults={"seen_up_to": newest}
    )
    if not created and mark.seen_up_to < newest:
        ReadMark.objects.filter(pk=mark.pk, seen_up_to__lt=newest).update(
            seen_up_to=newest, seen_at=timezone.now()
        )
    logger.debug("case read user=%s case=%s up_to=%s", user.pk, case.pk, newest)
