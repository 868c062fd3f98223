"""Guessing that two open cases of one unit are the same matter, for an officer to decide.

When a message arrives, the unit's other open cases are compared with it on three clues,
in this order, and the first that holds is the reason given:

- the same resident on another channel, where we can link them: the same `person_key`,
  or the same contact phone number typed on the portal;
- the same place at about the same time: both carry a point within `PLACE_METRES` of
  each other, sent within `PLACE_HOURS`;
- nearly the same words: the character shingles of the two texts overlap by at least
  `TEXT_SIMILARITY` (Jaccard), which survives a changed particle or punctuation and
  needs no word segmentation for Chinese.

Nothing is merged here: the officer merges or dismisses the proposal (`inbox.merging`).
Looking never costs the resident's message: a failure is logged and nothing is proposed.

The inbox step queues the search for the worker once its own transaction has committed
(`propose_after_commit`): the search reads up to hundreds of rows, which must neither
hold SQLite's one write lock inside the step nor delay an emergency's step, which leaves
the queue first and, when the queue refuses it, runs in the webhook's request. Only the
proposals it finds are written, in a short transaction of their own. A search lost with
its worker or its queue leaves that message without proposals, never without its case: a
proposal is a hint.
"""

import logging
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from beatdesk.audit.actions import record
from beatdesk.inbox.models import (
    OPEN_STATUSES,
    Case,
    Direction,
    DuplicateProposal,
    DuplicateReason,
    Message,
)
from beatdesk.inbox.routing import point_of
from beatdesk.units.areas import Point

logger = logging.getLogger(__name__)

SHINGLE_SIZE = 3
TEXT_SIMILARITY = 0.6
# Shorter texts ("在吗", "你好") are alike by chance, not because they are one matter.
SHORTEST_TEXT = 8
PLACE_METRES = 200.0
PLACE_HOURS = 3
# Only cases still active lately are compared, and only so many, newest first.
LOOKBACK = timedelta(days=14)
MOST_CANDIDATES = 200
MOST_MESSAGES = 300
# A flood of one template would pair every case with every other; a message proposes its
# few best matches, and the officer sees the rest through them.
MOST_PROPOSALS = 3
EARTH_RADIUS_METRES = 6_371_000.0
SHORTEST_PHONE = 7


@dataclass(frozen=True)
class Likeness:
    """Why another case looks like the same matter, and how strongly."""

    other_id: int
    reason: str
    measure: float | None = None


def shingles(text: str) -> frozenset[str]:
    """Return the overlapping runs of letters and digits of a text, case and width folded."""
    plain = "".join(
        character
        for character in unicodedata.normalize("NFKC", text).lower()
        if unicodedata.category(character)[0] in {"L", "N"}
    )
    if len(plain) < SHINGLE_SIZE:
        return frozenset({plain}) if plain else frozenset()
    return frozenset(plain[i : i + SHINGLE_SIZE] for i in range(len(plain) - SHINGLE_SIZE + 1))


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Return the Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def metres_between(first: Point, second: Point) -> float:
    """Return the great-circle distance between two (longitude, latitude) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*first, *second))
    half = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(half)))


def place_of(message: Message) -> Point | None:
    """Return the point a message carries: a location message, or the portal's map pin."""
    found = point_of(message)
    if found is not None:
        return found
    attributes = message.attributes or {}
    try:
        lon, lat = float(attributes["longitude"]), float(attributes["latitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180):
        return None
    return (lon, lat) if -90 <= lat <= 90 and (lon, lat) != (0.0, 0.0) else None


def phone_of(message: Message) -> str:
    """Return the contact number a portal message gave, digits only, or an empty string."""
    digits = "".join(
        ch for ch in str((message.attributes or {}).get("contact_phone", "")) if ch.isdigit()
    )
    return digits[-11:] if len(digits) >= SHORTEST_PHONE else ""


def propose_after_commit(case: Case, message: Message) -> None:
    """Queue the search for duplicates of this message's case once the caller commits."""
    transaction.on_commit(partial(_queue_search, case.pk, message.pk))


def _queue_search(case_id: int, message_id: int) -> None:
    # Imported here because the task module needs the app registry, as in inbox.actions.
    from beatdesk.inbox.tasks import look_for_duplicates

    try:
        look_for_duplicates(case_id, message_id)
    except Exception as error:
        logger.error(
            "duplicate search not queued case=%s message=%s error=%s",
            case_id,
            message_id,
            type(error).__name__,
        )


def propose_duplicates(case_id: int, message_id: int) -> list[DuplicateProposal]:
    """Propose every open case of the unit that looks like the same matter as this message."""
    try:
        case = Case.objects.select_related("resident").get(pk=case_id)
        message = Message.objects.get(pk=message_id)
        if not case.is_open or case.merged_into_id is not None:
            return []
        candidates, likenesses = _likenesses(case, message)
        if not likenesses:
            return []
        return _record_all(case, candidates, likenesses)
    except Exception:
        logger.exception("duplicate search failed case=%s message=%s", case_id, message_id)
        return []


def _likenesses(case: Case, message: Message) -> tuple[dict[int, Case], list[Likeness]]:
    """Read what the message is compared with and return the strongest likenesses found."""
    candidates = {other.pk: other for other in _candidates(case)}
    if not candidates:
        return candidates, []
    earlier = list(
        Message.objects.filter(case_id__in=candidates, direction=Direction.INBOUND)
        .exclude(pk=message.pk)
        .only("case_id", "text", "attributes", "kind", "sent_at")
        .order_by("-sent_at", "-id")[:MOST_MESSAGES]
    )
    found: dict[int, Likeness] = {}
    for likeness in [
        *_same_resident(case, message, candidates.values(), earlier),
        *_same_place(message, earlier),
        *_same_words(message, earlier),
    ]:
        found.setdefault(likeness.other_id, likeness)
    return candidates, sorted(found.values(), key=_strength)[:MOST_PROPOSALS]


def _record_all(
    case: Case, candidates: dict[int, Case], likenesses: list[Likeness]
) -> list[DuplicateProposal]:
    with transaction.atomic():
        made = [_proposal(case, candidates[found.other_id], found) for found in likenesses]
    return [proposal for proposal in made if proposal is not None]


def _strength(likeness: Likeness) -> tuple[int, float]:
    """Sort key, strongest first: the reason's rank, then the nearest or most alike."""
    rank = list(DuplicateReason.values).index(likeness.reason)
    measure = likeness.measure or 0.0
    return (rank, measure if likeness.reason == DuplicateReason.PLACE else -measure)


def _candidates(case: Case) -> list[Case]:
    since = timezone.now() - LOOKBACK
    proposed = DuplicateProposal.objects.filter(Q(case=case) | Q(other=case))
    paired = {pk for pair in proposed.values_list("case_id", "other_id") for pk in pair}
    return list(
        Case.objects.filter(
            unit_id=case.unit_id,
            status__in=OPEN_STATUSES,
            last_message_at__gte=since,
            merged_into__isnull=True,
        )
        .exclude(pk__in=paired | {case.pk})
        .select_related("resident")
        .only("unit", "resident", "resident__person_key")
        .order_by("-last_message_at")[:MOST_CANDIDATES]
    )


def _same_resident(
    case: Case, message: Message, candidates: Iterable[Case], earlier: list[Message]
) -> list[Likeness]:
    found = []
    key = case.resident.person_key
    if key:
        found += [
            Likeness(other.pk, DuplicateReason.RESIDENT)
            for other in candidates
            if other.resident.person_key == key
        ]
    phone = phone_of(message)
    if phone:
        found += [
            Likeness(other.case_id, DuplicateReason.RESIDENT)
            for other in earlier
            if other.case_id is not None and phone_of(other) == phone
        ]
    return found


def _same_place(message: Message, earlier: list[Message]) -> list[Likeness]:
    here = place_of(message)
    if here is None:
        return []
    window = timedelta(hours=PLACE_HOURS)
    found = []
    for other in earlier:
        there = place_of(other) if abs(other.sent_at - message.sent_at) <= window else None
        if there is not None and other.case_id is not None:
            distance = metres_between(here, there)
            if distance <= PLACE_METRES:
                found.append(Likeness(other.case_id, DuplicateReason.PLACE, round(distance)))
    return found


def _same_words(message: Message, earlier: list[Message]) -> list[Likeness]:
    mine = shingles(message.text)
    if len(mine) < SHORTEST_TEXT - SHINGLE_SIZE + 1:
        return []
    best: dict[int, float] = {}
    for other in earlier:
        if other.case_id is None or not other.text:
            continue
        alike = similarity(mine, shingles(other.text))
        if alike >= TEXT_SIMILARITY and alike > best.get(other.case_id, 0.0):
            best[other.case_id] = alike
    return [Likeness(pk, DuplicateReason.TEXT, round(alike, 2)) for pk, alike in best.items()]


def _proposal(case: Case, other: Case, likeness: Likeness) -> DuplicateProposal | None:
    # The newer case carries the proposal, whichever of the two the message joined.
    newer, older = (case, other) if case.pk > other.pk else (other, case)
    # The candidates leave out pairs already proposed; the unique pair catches a search for
    # the other case's message that proposed it in the meantime.
    try:
        with transaction.atomic():
            proposal = DuplicateProposal.objects.create(
                case=newer, other=older, reason=likeness.reason, measure=likeness.measure
            )
    except IntegrityError:
        return None
    record(
        "case.duplicate_proposed",
        newer,
        unit=newer.unit,
        other=older.pk,
        reason=likeness.reason,
        proposal=proposal.pk,
    )
    logger.info(
        "duplicate proposed case=%s other=%s reason=%s", newer.pk, older.pk, likeness.reason
    )
    return proposal
