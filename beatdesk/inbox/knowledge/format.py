"""Read a layer of knowledge entries from TOML, refusing any mistake with its line and id.

The format is described in README.md beside this module. Every check runs when a layer is
read, so a broken entry is found when the layer is imported rather than when a resident
asks.
"""

import datetime
import logging
import re
import tomllib
from pathlib import Path
from typing import Any

from beatdesk.inbox.knowledge.entries import (
    MENU_DEPTH,
    PLACEHOLDERS,
    Entry,
    Layer,
    placeholders_in,
)

logger = logging.getLogger(__name__)

DATA_DIRECTORY = Path(__file__).resolve().parent / "data"
COMMON_PATH = DATA_DIRECTORY / "common.toml"
ENTRY_KEYS = frozenset({"id", "menu", "questions", "answer", "answers", "review_by"})
LAYER_KEYS = frozenset({"unit", "entry", "withdrawn"})
IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
MAX_QUESTIONS = 50
MAX_ANSWER_CHARACTERS = 2000


class KnowledgeFormatError(ValueError):
    """A layer file is malformed; the message names the line or the entry and why."""


def load_layer(path: Path = COMMON_PATH, unit: str | None = None) -> Layer:
    """Read a layer file; `unit` replaces the owner code it declares (to import it as yours)."""
    return parse_layer(path.read_text(encoding="utf-8"), path.name, unit)


def parse_layer(text: str, source: str = "<text>", unit: str | None = None) -> Layer:
    """Parse the TOML text of a layer; `source` names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KnowledgeFormatError(f"{source}: {error}") from error
    _refuse_unknown(document, LAYER_KEYS, f"{source}: top level")
    owner = unit or document.get("unit")
    if not isinstance(owner, str) or not owner:
        raise KnowledgeFormatError(f"{source}: `unit` must name the owner unit's code")
    raw_entries = document.get("entry", [])
    if not isinstance(raw_entries, list):
        raise KnowledgeFormatError(f"{source}: `entry` must be written as [[entry]] tables")
    entries = [_entry(raw, text, source, owner, n) for n, raw in enumerate(raw_entries, 1)]
    _refuse_duplicates(entries, text, source)
    layer = Layer(owner, tuple(entries), frozenset(_withdrawn(document, source)))
    logger.info("knowledge layer read source=%s entries=%s", source, len(entries))
    return layer


def _entry(raw: Any, text: str, source: str, unit: str, number: int) -> Entry:
    identifier = raw.get("id") if isinstance(raw, dict) else None
    where = _where(text, source, identifier, number)
    try:
        if not isinstance(raw, dict):
            raise ValueError("an entry must be a table")
        unknown = sorted(set(raw) - ENTRY_KEYS)
        if unknown:
            raise ValueError(f"unknown key {unknown}; allowed: {sorted(ENTRY_KEYS)}")
        return Entry(
            id=_identifier(identifier),
            menu=_menu(raw.get("menu")),
            questions=_questions(raw.get("questions")),
            answer=_answer(raw.get("answer"), "answer"),
            review_by=_date(raw.get("review_by")),
            unit=unit,
            answers=_channel_answers(raw.get("answers", {})),
        )
    except ValueError as error:
        raise KnowledgeFormatError(f"{where}: {error}") from error


def _where(text: str, source: str, identifier: object, number: int, repeat: int = 0) -> str:
    """Name an entry by the line of its `id`, its id and its place among the entries.

    `repeat` picks a later line that sets the same id, for duplicates.
    """
    if not isinstance(identifier, str):
        return f"{source}: entry {number}"
    pattern = re.compile(rf"^\s*id\s*=\s*[\"']{re.escape(identifier)}[\"']", re.MULTILINE)
    found = list(pattern.finditer(text))
    start = found[min(repeat, len(found) - 1)].start() if found else -1
    line = text.count("\n", 0, start) + 1 if found else 0
    at_line = f", line {line}" if line else ""
    return f"{source}{at_line}: entry {number} ({identifier})"


def _identifier(value: object) -> str:
    if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
        raise ValueError("`id` must be lowercase letters, digits and dashes, at most 60")
    return value


def _menu(value: object) -> tuple[str, str, str]:
    names = value if isinstance(value, list) else []
    if len(names) != MENU_DEPTH or not all(isinstance(n, str) and n.strip() for n in names):
        raise ValueError("`menu` must be three names: level 1, level 2, level 3")
    return (names[0].strip(), names[1].strip(), names[2].strip())


def _questions(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_QUESTIONS:
        raise ValueError(f"`questions` must list 1 to {MAX_QUESTIONS} phrasings")
    if not all(isinstance(question, str) and question.strip() for question in value):
        raise ValueError("every question must be non-empty text")
    return tuple(question.strip() for question in value)


def _answer(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"`{name}` must be non-empty text")
    if len(value) > MAX_ANSWER_CHARACTERS:
        raise ValueError(f"`{name}` is longer than {MAX_ANSWER_CHARACTERS} characters")
    unknown = placeholders_in(value) - PLACEHOLDERS
    if unknown:
        known = ", ".join(sorted(PLACEHOLDERS))
        raise ValueError(f"`{name}` uses unknown placeholder {sorted(unknown)}; known: {known}")
    return value.strip()


def _channel_answers(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("`answers` must map channel kinds to text")
    return {str(channel): _answer(text, f"answers.{channel}") for channel, text in value.items()}


def _date(value: object) -> datetime.date:
    # TOML reads `2027-06-30` as a date; a datetime is a date too, so it is refused first.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValueError("`review_by` must be a date such as 2027-06-30, without quotes")
    return value


def _refuse_unknown(table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise KnowledgeFormatError(f"{where}: unknown key {unknown}; allowed: {sorted(allowed)}")


def _refuse_duplicates(entries: list[Entry], text: str, source: str) -> None:
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        if entry.id in seen:
            where = _where(text, source, entry.id, number, repeat=1)
            raise KnowledgeFormatError(f"{where}: the id is used by an earlier entry")
        seen.add(entry.id)


def _withdrawn(document: dict[str, Any], source: str) -> list[str]:
    value = document.get("withdrawn", [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise KnowledgeFormatError(f"{source}: `withdrawn` must list entry ids")
    return value
