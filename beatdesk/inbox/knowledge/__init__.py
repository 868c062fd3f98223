"""Knowledge entries and automatic answers to residents' common questions, no Django in it.

    knowledge = Knowledge(overlay([load_layer(unit="PROVINCE"), station_layer]))
    candidates = match("身份证丢了咋补", knowledge)             # best 3, each with confidence
    decision = decide(candidates, knowledge.entries, today=today, needs_person=flagged)
    if isinstance(decision, AutoAnswer):
        text = render_answer(decision.entry, "wechat", contact)  # placeholders filled
    menu = build_menu(knowledge.entries, plan)                  # JSON body of menu/create
    answer_click("KB_id-lost", knowledge.entries)               # an Entry to render

The data format is described in README.md; the figures are in bench/RESULTS.md.
"""

from beatdesk.inbox.knowledge.decisions import (
    DEFAULT_THRESHOLD,
    AutoAnswer,
    HoldReason,
    MissingContactError,
    Proposals,
    decide,
    render_answer,
)
from beatdesk.inbox.knowledge.entries import (
    PLACEHOLDERS,
    Entry,
    Layer,
    entries_due_for_review,
    overlay,
)
from beatdesk.inbox.knowledge.format import (
    COMMON_PATH,
    KnowledgeFormatError,
    load_layer,
    parse_layer,
)
from beatdesk.inbox.knowledge.matching import Candidate, Knowledge, match
from beatdesk.inbox.knowledge.menus import (
    ENTRY_KEY_PREFIX,
    GROUP_KEY_PREFIX,
    MenuError,
    MenuPlan,
    answer_click,
    build_menu,
    default_menu_plan,
    group_key,
    load_menu_plan,
    menu_tree,
)
from beatdesk.inbox.knowledge.questions import LabelledQuestion, load_questions

__all__ = [
    "COMMON_PATH",
    "DEFAULT_THRESHOLD",
    "ENTRY_KEY_PREFIX",
    "GROUP_KEY_PREFIX",
    "PLACEHOLDERS",
    "AutoAnswer",
    "Candidate",
    "Entry",
    "HoldReason",
    "Knowledge",
    "KnowledgeFormatError",
    "LabelledQuestion",
    "Layer",
    "MenuError",
    "MenuPlan",
    "MissingContactError",
    "Proposals",
    "answer_click",
    "build_menu",
    "decide",
    "default_menu_plan",
    "entries_due_for_review",
    "group_key",
    "load_layer",
    "load_menu_plan",
    "load_questions",
    "match",
    "menu_tree",
    "overlay",
    "parse_layer",
    "render_answer",
]
