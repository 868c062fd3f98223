"""Automatic answers from the knowledge base, and one-click proposals for officers.

The library (`inbox.knowledge`) matches and decides; this module builds the knowledge in
force at a unit (the shipped common entries, then each level's own layer from the
province down), caches it per process under the layers' stamps, and fills in the
station's contact details.
"""

import logging
import threading
from collections import OrderedDict

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beatdesk.inbox.knowledge import (
    ENTRY_KEY_PREFIX,
    GROUP_KEY_PREFIX,
    AutoAnswer,
    Entry,
    Knowledge,
    MissingContactError,
    Proposals,
    answer_click,
    decide,
    load_layer,
    match,
    overlay,
    parse_layer,
    render_answer,
)
from beatdesk.inbox.models import KnowledgeLayer
from beatdesk.units.models import Unit

logger = logging.getLogger(__name__)

_cache: OrderedDict[tuple[str, ...], Knowledge] = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 64


def knowledge_at(unit: Unit) -> Knowledge:
    """Return the knowledge in force at a unit, built once per change of its layers."""
    layers = list(
        KnowledgeLayer.objects.filter(unit__in=unit.ancestors())
        .select_related("unit")
        .order_by("unit__depth")
    )
    key = tuple(layer.stamp.hex for layer in layers)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]

    parsed = [load_layer()]
    parsed += [
        parse_layer(layer.source, f"{layer.unit.code}.toml", layer.unit.code) for layer in layers
    ]
    knowledge = Knowledge(overlay(parsed))
    with _lock:
        _cache[key] = knowledge
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return knowledge


def contact_of(unit: Unit, tracking_url: str) -> dict[str, str]:
    """Return the values answers may name: the station's name, phone, address and hours."""
    return {
        "station_name": unit.name,
        "station_phone": unit.contact_phone,
        "station_address": unit.address,
        "office_hours": unit.office_hours,
        "tracking_url": tracking_url,
    }


def answer_or_propose(
    text: str, unit: Unit, channel: str, tracking_url: str, *, needs_person: bool
) -> tuple[Entry | None, str, list[str]]:
    """Return (entry, answer text) to send now, or (None, "", proposed entry ids)."""
    knowledge = knowledge_at(unit)
    candidates = match(text, knowledge)
    decision: AutoAnswer | Proposals = decide(
        candidates, knowledge.entries, today=timezone.localdate(), needs_person=needs_person
    )
    proposed = [candidate.entry_id for candidate in candidates]
    if isinstance(decision, AutoAnswer):
        try:
            answer = render_answer(decision.entry, channel, contact_of(unit, tracking_url))
        except MissingContactError as missing:
            # Better an officer's answer than one with a hole in it.
            logger.warning("auto-answer held: unit=%s lacks %s", unit.pk, sorted(missing.missing))
            return None, "", proposed
        return decision.entry, answer, proposed
    return None, "", proposed


def is_knowledge_key(key: str) -> bool:
    """Return whether a menu click key is one our menu builder made."""
    return key.startswith((ENTRY_KEY_PREFIX, GROUP_KEY_PREFIX))


def menu_click_answer(key: str, unit: Unit, channel: str, tracking_url: str) -> str:
    """Return what a click on a button of our menu gets: the entry's answer, the group's
    questions, or, for a button the knowledge no longer has, an invitation to write."""
    clicked = answer_click(key, knowledge_at(unit).entries)
    if isinstance(clicked, str):
        return clicked
    if clicked is not None:
        try:
            return render_answer(clicked, channel, contact_of(unit, tracking_url))
        except MissingContactError as missing:
            logger.warning("menu answer held: unit=%s lacks %s", unit.pk, sorted(missing.missing))
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Please write your question here and an officer will answer you. "
            "In an emergency, call 110 now."
        )


def proposal_texts(
    entry_ids: list[str], unit: Unit, channel: str, tracking_url: str
) -> list[tuple[str, str]]:
    """Return (question, answer) for each proposed entry the station can answer in full."""
    entries = knowledge_at(unit).entries
    found = []
    for entry_id in entry_ids:
        entry = entries.get(entry_id)
        if entry is None:
            continue
        try:
            answer = render_answer(entry, channel, contact_of(unit, tracking_url))
        except MissingContactError:
            continue
        found.append((entry.questions[0] if entry.questions else entry.menu[-1], answer))
    return found
