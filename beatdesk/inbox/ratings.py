"""Residents rate how their answered case was handled, from 1 to 5.

A case can be rated for a while after it was resolved or closed: on the portal's tracking
page, or in a private chat by replying with a bare digit ("4") or "评价 4". A rating is
kept once per case; a later one within the window replaces it, and each is audited. It
never reopens the case and never becomes a case of its own.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.channels.registry import is_one_to_one
from beatdesk.inbox.intake import IncomingMessage
from beatdesk.inbox.models import (
    OPEN_STATUSES,
    Case,
    CaseRating,
    CaseStatus,
    Message,
    MessageKind,
    Resident,
)

logger = logging.getLogger(__name__)

# How long after a case was resolved or closed its resident may rate it.
RATING_WINDOW = timedelta(days=7)
RATED_STATUSES = [CaseStatus.RESOLVED, CaseStatus.CLOSED]
LOWEST, HIGHEST = 1, 5

# "4", "4分", "5星", "评价 4", "评分：3", after NFKC has made full-width digits plain.
RATING_REPLY = re.compile(r"(?:(?:评价|评分|打分)\s*[:：]?\s*)?([1-5])\s*(?:分|星)?")
TRAILING_PUNCTUATION = "。.!！~～ "

# The shortest private message among the channels is Weibo's, under 300 characters; an
# answer long enough to pass it with the invitation goes out without the invitation.
INVITATION_ROOM = 280


class RatingRefused(Exception):
    """A rating was refused; the message is safe to show to the resident."""


def score_in(text: str) -> int | None:
    """Return the score a chat reply gives, or None when the reply is anything else."""
    plain = unicodedata.normalize("NFKC", text).strip().rstrip(TRAILING_PUNCTUATION)
    found = RATING_REPLY.fullmatch(plain)
    return int(found.group(1)) if found else None


def is_rateable(case: Case, now: datetime | None = None) -> bool:
    """Return whether the case is answered and closed recently enough to be rated."""
    if case.status not in RATED_STATUSES or case.closed_at is None or case.merged_into_id:
        return False
    return (now or timezone.now()) - case.closed_at <= RATING_WINDOW


@dataclass(frozen=True)
class ChatRating:
    """A resident's chat message read as a rating: the case it rates and the score."""

    case: Case
    score: int


def rating_by_reply(resident: Resident, incoming: IncomingMessage) -> ChatRating | None:
    """Return what a resident's chat message rates, or None if it is not a rating.

    Only a private conversation counts, and only while the resident has no open case:
    a digit written during an open case answers the officer's question instead.
    """
    score = score_in(incoming.text) if incoming.kind == MessageKind.TEXT else None
    if score is None or not is_one_to_one(resident.account.kind, resident.external_id):
        return None
    if Case.objects.filter(resident=resident, status__in=OPEN_STATUSES).exists():
        return None
    since = timezone.now() - RATING_WINDOW
    latest = (
        Case.objects.filter(
            resident=resident,
            status__in=RATED_STATUSES,
            closed_at__gte=since,
            merged_into__isnull=True,
        )
        .order_by("-closed_at", "-pk")
        .first()
    )
    return ChatRating(latest, score) if latest is not None else None


def do_rate_case(
    case: Case, score: int, channel: str, message: Message | None = None
) -> CaseRating:
    """Keep the resident's rating of a case, replacing an earlier one; audited."""
    if not LOWEST <= score <= HIGHEST:
        raise RatingRefused(_("A rating is a whole number from 1 to 5."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not is_rateable(case):
            raise RatingRefused(_("This matter can no longer be rated."))
        rating = CaseRating.objects.filter(case=case).first()
        previous = rating.score if rating is not None else None
        if rating is None:
            rating = CaseRating(case=case, times_rated=0)
        rating.score, rating.channel, rating.message = score, channel, message
        rating.rated_at, rating.times_rated = timezone.now(), rating.times_rated + 1
        rating.save()
        record("case.rated", case, unit=case.unit, score=score, previous=previous, channel=channel)
    logger.info(
        "case rated case=%s channel=%s replaced=%s", case.pk, channel, previous is not None
    )
    return rating


def thanks_for_rating() -> str:
    """Return the answer to a chat rating, in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Thank you for your rating. If the matter is not settled, write to us again "
            "and the same officers will take it up."
        )


def rating_invitation() -> str:
    """Return the one line that asks for a rating at the end of a closing answer."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("How did we do? Reply with a number from 1 (poor) to 5 (very good).")


def with_invitation(case: Case, text: str) -> str:
    """Return the closing answer, ending with the invitation where the chat is private."""
    if not is_one_to_one(case.account.kind, case.resident.external_id):
        return text
    invitation = rating_invitation()
    if len(text) + 1 + len(invitation) > INVITATION_ROOM:
        return text
    return f"{text}\n{invitation}"


@dataclass(frozen=True)
class Satisfaction:
    """How residents rated the cases in a set: how many, the mean, and the share of 4 and 5."""

    count: int
    average: float | None
    satisfied_share: float | None


def satisfaction(ratings: QuerySet[CaseRating]) -> Satisfaction:
    """Sum up a set of ratings (pass `inbox.access.ratings_for(user)`, filtered as needed)."""
    figures = ratings.aggregate(
        count=Count("pk"), average=Avg("score"), satisfied=Count("pk", filter=Q(score__gte=4))
    )
    count = int(figures["count"])
    if not count:
        return Satisfaction(0, None, None)
    return Satisfaction(count, round(float(figures["average"]), 2), figures["satisfied"] / count)
