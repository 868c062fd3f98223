"""A unit's effective lexicon: the shipped default overlaid by every level down to the unit.

Compiled lexicons are cached in each process under the versions of the layers they were
built from. Any change bumps its layer's version, so the next check builds the new matcher
once and every later check reuses it; nothing is compiled per request.
"""

import logging
import threading
from collections import OrderedDict

from beatdesk.checker.core import (
    CheckResult,
    CompiledLexicon,
    LexiconEntry,
    check,
    compile_lexicon,
    load_default_lexicon,
)
from beatdesk.checker.core.findings import Category, Severity
from beatdesk.checker.core.lexicon import DEFAULT_SEVERITIES
from beatdesk.checker.core.normalize import normalize_term
from beatdesk.checker.models import Lexicon, LexiconTerm
from beatdesk.units.models import Unit

logger = logging.getLogger(__name__)

# Compiled lexicons kept per process; a province with a few hundred units fits easily.
CACHE_SIZE = 128
_cache: OrderedDict[tuple[str, ...], CompiledLexicon] = OrderedDict()
_cache_lock = threading.Lock()


def layers_for(unit: Unit | None) -> list[Lexicon]:
    """Return the lexicon layers that apply at a unit, the highest level first."""
    if unit is None:
        return []
    return list(
        Lexicon.objects.filter(unit__in=unit.ancestors())
        .select_related("unit")
        .order_by("unit__depth")
    )


def versions_label(layers: list[Lexicon]) -> str:
    """Describe the layers a check used, e.g. `zj:v3 hz:v1`, for the check record."""
    return " ".join(f"{layer.unit.code}:v{layer.version}" for layer in layers)[:200]


def effective_lexicon(unit: Unit | None) -> tuple[CompiledLexicon, list[Lexicon]]:
    """Return the compiled lexicon for a unit and the layers it was built from."""
    layers = layers_for(unit)
    if not layers:
        return load_default_lexicon(), layers

    key = tuple(layer.stamp.hex for layer in layers)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached, layers

    compiled = compile_lexicon(_overlay(load_default_lexicon().entries, layers))
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    logger.info(
        "compiled lexicon layers=%s entries=%s", versions_label(layers), len(compiled.entries)
    )
    return compiled, layers


def check_at(
    text: str, unit: Unit | None, *, wrong_characters: bool = False
) -> tuple[CheckResult, str]:
    """Check a text with the lexicon in force at a unit; also return the layer versions.

    `wrong_characters` adds the slower wrong-character rule: worth it for a text someone
    asked to check or is about to publish, not for every keystroke in an answer box.
    """
    lexicon, layers = effective_lexicon(unit)
    return check(text, lexicon, wrong_characters=wrong_characters), versions_label(layers)


def entry_of(row: LexiconTerm) -> LexiconEntry:
    """Turn a stored term into the core's entry."""
    category = Category(row.category)
    return LexiconEntry(
        term=row.term,
        category=category,
        severity=Severity(row.severity) if row.severity else DEFAULT_SEVERITIES[category],
        reason=row.reason,
        suggestion=row.suggestion or None,
        exceptions=tuple(cue.strip() for cue in row.exceptions.split("|") if cue.strip()),
        exception_severity=Severity(row.exception_severity or Severity.REVIEW),
    )


def _overlay(base: tuple[LexiconEntry, ...], layers: list[Lexicon]) -> list[LexiconEntry]:
    # Keyed by normalized term and category: a lower level replaces what a higher one says
    # about the same term in the same category; an allowed term drops every category of it.
    merged: dict[tuple[str, str], LexiconEntry] = {
        (normalize_term(entry.term), entry.category.value): entry for entry in base
    }
    terms = LexiconTerm.objects.filter(lexicon__in=layers).select_related("lexicon__unit")
    depth_of = {layer.pk: layer.unit.depth for layer in layers}
    for row in sorted(terms, key=lambda row: (depth_of[row.lexicon_id], row.allowed)):
        if not normalize_term(row.term):
            # Refused on entry today; a row from before that rule must not stop every check.
            logger.error("lexicon term skipped term_id=%s: empty once normalized", row.pk)
            continue
        if row.allowed:
            merged = {key: entry for key, entry in merged.items() if key[0] != row.normalized}
        else:
            merged[(row.normalized, row.category)] = entry_of(row)
    return list(merged.values())
