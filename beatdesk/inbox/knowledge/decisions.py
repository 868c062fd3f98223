"""Decide whether an answer goes out at once or the best candidates go to an officer."""

import datetime
import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from beatdesk.inbox.knowledge.entries import PLACEHOLDER_PATTERN, Entry
from beatdesk.inbox.knowledge.matching import Candidate

logger = logging.getLogger(__name__)

# Chosen by `bench/knowledge.py --fit` on the train part only; see bench/RESULTS.md.
DEFAULT_THRESHOLD = 0.86


class HoldReason(enum.StrEnum):
    """Why an answer was proposed to an officer rather than sent."""

    NO_MATCH = "no_match"
    LOW_CONFIDENCE = "low_confidence"
    # The caller found the message looks like an emergency or a complaint.
    NEEDS_PERSON = "needs_person"
    DUE_FOR_REVIEW = "due_for_review"


@dataclass(frozen=True, slots=True)
class AutoAnswer:
    """Send this entry's answer now; the resident can still ask for a person."""

    entry: Entry
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class Proposals:
    """Show these candidates to the officer, best first, and say why none was sent."""

    candidates: tuple[Candidate, ...]
    reason: HoldReason


class MissingContactError(ValueError):
    """An answer needs a contact field the station has not filled in."""

    def __init__(self, missing: set[str]) -> None:
        self.missing = frozenset(missing)
        super().__init__(f"the station has no value for {', '.join(sorted(missing))}")


def decide(
    candidates: Sequence[Candidate],
    entries: Mapping[str, Entry],
    *,
    today: datetime.date,
    threshold: float = DEFAULT_THRESHOLD,
    needs_person: bool = False,
) -> AutoAnswer | Proposals:
    """Return an automatic answer when it is safe and sure enough, else the proposals.

    `needs_person` is the caller's finding that the message looks like an emergency or a
    complaint: those are never answered by a machine, however sure the match.
    """
    proposals = tuple(candidates)
    reason = _hold_reason(proposals, entries, today, threshold, needs_person)
    best = proposals[0].entry_id if proposals else "-"
    logger.debug("knowledge decision reason=%s entry=%s", reason or "auto", best)
    if reason is not None:
        return Proposals(proposals, reason)
    return AutoAnswer(entries[proposals[0].entry_id], proposals[0])


def _hold_reason(
    candidates: tuple[Candidate, ...],
    entries: Mapping[str, Entry],
    today: datetime.date,
    threshold: float,
    needs_person: bool,
) -> HoldReason | None:
    if needs_person:
        return HoldReason.NEEDS_PERSON
    if not candidates:
        return HoldReason.NO_MATCH
    if candidates[0].confidence < threshold:
        return HoldReason.LOW_CONFIDENCE
    if entries[candidates[0].entry_id].is_due_for_review(today):
        return HoldReason.DUE_FOR_REVIEW
    return None


def render_answer(entry: Entry, channel: str, contact: Mapping[str, str]) -> str:
    """Return the entry's answer for a channel kind with the station's contact filled in.

    `contact` maps placeholder names (station_name, station_phone, station_address,
    office_hours, tracking_url) to the station's values. An empty or absent value needed
    by the answer raises MissingContactError, so no resident ever sees a `{placeholder}`.
    """
    text = entry.answer_for(channel)
    missing = {
        name for name in PLACEHOLDER_PATTERN.findall(text) if not contact.get(name, "").strip()
    }
    if missing:
        raise MissingContactError(missing)
    return PLACEHOLDER_PATTERN.sub(lambda found: contact[found.group(1)].strip(), text)
