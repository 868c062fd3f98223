"""The labelled messages shipped with Beatdesk, and the examples the model learns from.

`data/messages.tsv` is UTF-8, tab-separated, one message a line after `#` comment lines and
a header: id, split, label, emergency, near_miss, detail, source, text. `detail` is the
emergency reason of an emergency, the department of a message that is not a police matter,
and the kind of near miss (past, news, joke...) of a near miss. The split of every line was
fixed by `assign_splits` before any model was trained, and is never changed afterwards.
"""

import logging
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from beatdesk.inbox.classification.labels import CaseTypeCode, Department, EmergencyReason

logger = logging.getLogger(__name__)

DATA_PATH = Path(__file__).resolve().parent / "data" / "messages.tsv"
COLUMNS = ("id", "split", "label", "emergency", "near_miss", "detail", "source", "text")
SPLITS = ("train", "test")
SPLIT_SEED = 5
TEST_SHARE = 0.25


class DatasetError(ValueError):
    """A line of the labelled set is malformed; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Example:
    """One message with the answers the model should learn: its type and any emergency.

    Officers' corrections become examples too: the text, the type they chose, and the
    emergency reason if they marked it as one.
    """

    text: str
    case_type: CaseTypeCode
    emergency: EmergencyReason | None = None


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    """One line of the labelled set."""

    id: str
    split: str
    case_type: CaseTypeCode
    emergency: EmergencyReason | None
    near_miss: str
    department: Department | None
    source: str
    text: str

    @property
    def is_near_miss(self) -> bool:
        return bool(self.near_miss)

    def example(self) -> Example:
        """Return what the model learns from this message."""
        return Example(self.text, self.case_type, self.emergency)


def load_labelled_set(path: Path = DATA_PATH) -> list[LabelledMessage]:
    """Read and check the labelled set; refuse the file if any line is wrong."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line and not line.startswith("#")]
    if not rows or tuple(rows[0].split("\t")) != COLUMNS:
        raise DatasetError(f"{path.name}: the header must be {' '.join(COLUMNS)}")
    messages = [_parse_row(row, number) for number, row in enumerate(rows[1:], start=2)]
    _check_unique_ids(messages)
    return messages


def _parse_row(row: str, number: int) -> LabelledMessage:
    fields = row.split("\t")
    if len(fields) != len(COLUMNS):
        raise DatasetError(f"row {number}: expected {len(COLUMNS)} fields, got {len(fields)}")
    try:
        return _labelled_message(fields)
    except ValueError as error:
        raise DatasetError(f"row {number} ({fields[0]}): {error}") from error


def _labelled_message(fields: list[str]) -> LabelledMessage:
    identifier, split, label, emergency, near_miss, detail, source, text = fields
    if split not in (*SPLITS, ""):
        raise ValueError(f"unknown split {split!r}")
    if emergency not in ("0", "1") or near_miss not in ("0", "1"):
        raise ValueError("emergency and near_miss must be 0 or 1")
    if emergency == "1" and near_miss == "1":
        raise ValueError("a message cannot be both an emergency and a near miss")
    if not text.strip():
        raise ValueError("empty text")
    case_type = CaseTypeCode(label)
    return LabelledMessage(
        id=identifier,
        split=split,
        case_type=case_type,
        emergency=EmergencyReason(detail) if emergency == "1" else None,
        near_miss=detail if near_miss == "1" else "",
        department=Department(detail) if case_type == CaseTypeCode.NOT_POLICE else None,
        source=source,
        text=text,
    )


def _check_unique_ids(messages: Sequence[LabelledMessage]) -> None:
    seen: set[str] = set()
    for message in messages:
        if message.id in seen:
            raise DatasetError(f"duplicate id {message.id}")
        seen.add(message.id)


def stratum(message: LabelledMessage) -> str:
    """Return the group a message is split within: emergencies, near misses, or its type."""
    if message.emergency is not None:
        return "emergency"
    if message.is_near_miss:
        return "near_miss"
    return message.case_type.value


def assign_splits(
    messages: Sequence[LabelledMessage], seed: int = SPLIT_SEED
) -> list[LabelledMessage]:
    """Give a split to every message that has none, a quarter of each stratum to test.

    Messages that already have a split keep it, so adding lines never moves old ones.
    """
    unassigned: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        if not message.split:
            unassigned[stratum(message)].append(message.id)
    chosen: dict[str, str] = {}
    shuffler = random.Random(seed)
    for group in sorted(unassigned):
        identifiers = sorted(unassigned[group])
        shuffler.shuffle(identifiers)
        test_count = round(len(identifiers) * TEST_SHARE)
        for position, identifier in enumerate(identifiers):
            chosen[identifier] = "test" if position < test_count else "train"
    return [replace(m, split=chosen.get(m.id, m.split)) for m in messages]


def format_row(message: LabelledMessage) -> str:
    """Return the line of the file for one message."""
    detail = message.emergency or message.near_miss or message.department or ""
    return "\t".join(
        [
            message.id,
            message.split,
            message.case_type.value,
            "1" if message.emergency else "0",
            "1" if message.is_near_miss else "0",
            str(detail),
            message.source,
            message.text,
        ]
    )


def examples(messages: Iterable[LabelledMessage], split: str | None = None) -> list[Example]:
    """Return the examples of the messages in `split` (all of them when it is None)."""
    return [m.example() for m in messages if split is None or m.split == split]
