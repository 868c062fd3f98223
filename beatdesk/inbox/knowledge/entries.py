"""Knowledge entries, the layers units write them in, and the base a station answers from."""

import datetime
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

MENU_DEPTH = 3
# The placeholders an answer may use; the inbox fills them from the station's contact fields.
PLACEHOLDERS = frozenset(
    {"station_name", "station_phone", "station_address", "office_hours", "tracking_url"}
)
PLACEHOLDER_PATTERN = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One common question of residents, where it sits in the menu, and its answer.

    `answers` holds shorter wordings for channels with tight limits, by channel kind
    (`onebot` for QQ groups); `answer` is what every other channel gets.
    """

    id: str
    menu: tuple[str, str, str]
    questions: tuple[str, ...]
    answer: str
    review_by: datetime.date
    unit: str
    answers: Mapping[str, str] = field(default_factory=dict)

    def answer_for(self, channel: str) -> str:
        """Return the wording for a channel kind, the default one unless it has its own."""
        return self.answers.get(channel, self.answer)

    def is_due_for_review(self, today: datetime.date) -> bool:
        """Return whether the entry is past its review date and must not be sent alone."""
        return today > self.review_by


@dataclass(frozen=True, slots=True)
class Layer:
    """The entries one unit wrote; `withdrawn` ids hide entries of the layers above."""

    unit: str
    entries: tuple[Entry, ...]
    withdrawn: frozenset[str] = frozenset()


def overlay(layers: Iterable[Layer]) -> dict[str, Entry]:
    """Merge layers given from the highest unit down: a lower unit's entry replaces by id.

    A province writes the common entries and a station overrides one with local details by
    writing an entry with the same id, or withdraws it (a station without an exit-entry
    window). The order of the result is the order entries were first written, so menus
    keep the province's order.
    """
    merged: dict[str, Entry] = {}
    for layer in layers:
        for entry in layer.entries:
            merged[entry.id] = entry
        for identifier in layer.withdrawn:
            merged.pop(identifier, None)
        logger.debug("knowledge layer merged unit=%s entries=%s", layer.unit, len(layer.entries))
    return merged


def entries_due_for_review(entries: Mapping[str, Entry], today: datetime.date) -> list[Entry]:
    """Return the entries past their review date, the longest overdue first."""
    due = [entry for entry in entries.values() if entry.is_due_for_review(today)]
    return sorted(due, key=lambda entry: (entry.review_by, entry.id))


def placeholders_in(text: str) -> set[str]:
    """Return the names of the `{placeholder}` marks a text uses."""
    return set(PLACEHOLDER_PATTERN.findall(text))
