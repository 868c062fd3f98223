"""Strict JSON for everything that arrives from outside: one parser, stable error codes.

Python's json module accepts what other parsers refuse or read differently: NaN and
Infinity, duplicate keys (the last silently wins), integers of any size (slow to parse,
unsafe in JavaScript clients), nesting deep enough to exhaust the stack, and lone UTF-16
surrogates or NUL characters that PostgreSQL will not store. Each is refused here with a
code that API clients can rely on.
"""

import json
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 32
# Enough for any id a channel sends as a number (QQ ids, message ids, timestamps in ms).
MAX_INTEGER_DIGITS = 20


class JsonInputError(ValueError):
    """The body is not acceptable JSON; `code` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_json(
    body: bytes | str, *, max_depth: int = MAX_DEPTH, check_strings: bool = True
) -> Any:
    """Parse a JSON document strictly, or raise `JsonInputError` saying what is wrong.

    A channel adapter passes `check_strings=False` and cleans the strings itself: an
    authentic resident's message with one stray character is kept, not refused.
    """
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonInputError("bad_encoding", "The body is not UTF-8.") from None
    _refuse_deep_nesting(body, max_depth)
    try:
        value = json.loads(
            body,
            object_pairs_hook=_refuse_duplicates,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
        )
    except JsonInputError:
        raise
    except (json.JSONDecodeError, RecursionError):
        raise JsonInputError("bad_json", "The body is not valid JSON.") from None
    if check_strings:
        _refuse_bad_strings(value)
    return value


def _refuse_deep_nesting(text: str, max_depth: int) -> None:
    # Counted before parsing, so a document nested a million deep costs one pass over the
    # text, not a recursion. Brackets inside strings are skipped.
    depth = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonInputError("too_deep", f"The JSON nests deeper than {max_depth}.")
        elif character in "]}":
            depth -= 1


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JsonInputError("duplicate_key", "A JSON object repeats a key.")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise JsonInputError("bad_number", f"{name} is not a JSON number.")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JsonInputError("bad_number", "A number in the JSON is too large.")
    return int(digits)


def _refuse_bad_strings(value: Any) -> None:
    check: Callable[[str], None] = _check_string
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            check(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_string(text: str) -> None:
    if "\x00" in text:
        raise JsonInputError("nul_character", "The JSON holds a NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonInputError("lone_surrogate", "The JSON holds an unpaired surrogate.") from None
