"""Build a WeChat Official Account menu from the knowledge tree, and answer its clicks.

WeChat's limits (docs: /work/shared/protocols.md section 1.8, menu create API): 1 to 3
top-level buttons, 1 to 5 sub-buttons under each, a top-level name of at most 16 bytes and
a sub-button name of at most 60 bytes in the newer documentation but 40 in the older; we
hold sub-buttons to 40 so the menu passes either. Keys are at most 128 bytes.

The three levels of the knowledge menu do not fit two levels of buttons: level 1 becomes
the top-level buttons, and each sub-button is either a level-2 group (its click lists the
group's questions, which the resident can then send as text) or a single entry (its click
sends the entry's answer). A plan chooses the sub-buttons when a group has more than five.
"""

import hashlib
import logging
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from beatdesk.inbox.knowledge.entries import Entry

logger = logging.getLogger(__name__)

MAX_TOP_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_TOP_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 40
MAX_KEY_BYTES = 128
ENTRY_KEY_PREFIX = "KB_"
GROUP_KEY_PREFIX = "KBG_"
ENTRY_ITEM_PREFIX = "entry:"

MenuPlan = Mapping[str, Sequence[str]]
DEFAULT_PLAN_PATH = Path(__file__).resolve().parent / "data" / "menu_plan.toml"


class MenuError(ValueError):
    """The menu would break one of WeChat's limits; the message says which and how to fix."""


def build_menu(entries: Mapping[str, Entry], plan: MenuPlan | None = None) -> dict[str, Any]:
    """Return the JSON body of `POST /cgi-bin/menu/create` for a knowledge base.

    Without a plan every level-1 name is a top-level button and every level-2 group under
    it a sub-button, in the order the entries were written. A plan maps each top-level name
    to its sub-buttons, each a level-2 group name or `entry:<id>` for one entry's answer.
    """
    tree = menu_tree(entries)
    chosen = plan if plan is not None else {top: list(groups) for top, groups in tree.items()}
    if not 1 <= len(chosen) <= MAX_TOP_BUTTONS:
        raise MenuError(
            f"the menu has {len(chosen)} top-level buttons ({', '.join(chosen)}); "
            f"WeChat allows 1 to {MAX_TOP_BUTTONS}: merge level-1 names or plan fewer"
        )
    buttons = [_top_button(top, items, tree, entries) for top, items in chosen.items()]
    logger.info("wechat menu built buttons=%s", len(buttons))
    return {"button": buttons}


def load_menu_plan(text: str, source: str = "<plan>") -> dict[str, list[str]]:
    """Read a plan file: a `[menu]` table of top-level name to its list of items."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MenuError(f"{source}: {error}") from None
    menu = document.get("menu")
    if set(document) != {"menu"} or not isinstance(menu, dict) or not menu:
        raise MenuError(f"{source}: the plan is one [menu] table of top-level buttons")
    plan: dict[str, list[str]] = {}
    for top, items in menu.items():
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise MenuError(f"{source}: {top!r} must list its items as strings")
        plan[top] = items
    return plan


def default_menu_plan() -> dict[str, list[str]]:
    """Return the plan shipped with the common knowledge."""
    return load_menu_plan(DEFAULT_PLAN_PATH.read_text(encoding="utf-8"), DEFAULT_PLAN_PATH.name)


def menu_tree(entries: Mapping[str, Entry]) -> dict[str, dict[str, list[Entry]]]:
    """Return level 1 -> level 2 -> entries, in the order the entries were written."""
    tree: dict[str, dict[str, list[Entry]]] = {}
    for entry in entries.values():
        top, group, _ = entry.menu
        tree.setdefault(top, {}).setdefault(group, []).append(entry)
    return tree


def group_key(top: str, group: str) -> str:
    """Return the stable click key of a level-2 group: it survives reordering entries."""
    digest = hashlib.sha256(f"{top}/{group}".encode()).hexdigest()[:16]
    return GROUP_KEY_PREFIX + digest


def answer_click(key: str, entries: Mapping[str, Entry]) -> Entry | str | None:
    """Return what a menu click gets: an entry to render, a group's list of questions as text,
    or None for a key the base no longer has (a menu cached by the resident's client)."""
    if key.startswith(ENTRY_KEY_PREFIX):
        return entries.get(key.removeprefix(ENTRY_KEY_PREFIX))
    if key.startswith(GROUP_KEY_PREFIX):
        for top, groups in menu_tree(entries).items():
            for group, members in groups.items():
                if group_key(top, group) == key:
                    return group_overview(group, members)
    logger.info("wechat menu click with an unknown key")
    return None


def group_overview(group: str, members: Sequence[Entry]) -> str:
    """Return the text a group's click gets: its questions, and an invitation to ask."""
    lines = [f"关于“{group}”，大家常问的有："]
    lines.extend(f"· {entry.menu[2]}" for entry in members)
    lines.append(f"直接把您想问的发给我们就好，比如“{members[0].menu[2]}”，我们马上回复您。")
    return "\n".join(lines)


def _top_button(
    top: str,
    items: Sequence[str],
    tree: Mapping[str, Mapping[str, list[Entry]]],
    entries: Mapping[str, Entry],
) -> dict[str, Any]:
    _check_name(top, MAX_TOP_NAME_BYTES, "top-level button")
    if top not in tree:
        raise MenuError(f"the plan names top-level button {top!r}, which no entry's menu has")
    if not 1 <= len(items) <= MAX_SUB_BUTTONS:
        raise MenuError(
            f"top-level button {top!r} has {len(items)} items ({', '.join(items)}); WeChat "
            f"allows 1 to {MAX_SUB_BUTTONS}: plan which ones appear, the rest stay answerable "
            "by text"
        )
    subs = [_sub_button(top, item, tree[top], entries) for item in items]
    return {"name": top, "sub_button": subs}


def _sub_button(
    top: str, item: str, groups: Mapping[str, list[Entry]], entries: Mapping[str, Entry]
) -> dict[str, str]:
    if item.startswith(ENTRY_ITEM_PREFIX):
        entry = entries.get(item.removeprefix(ENTRY_ITEM_PREFIX))
        if entry is None:
            raise MenuError(f"the plan under {top!r} names {item!r}, which is not an entry")
        return _click(entry.menu[2], ENTRY_KEY_PREFIX + entry.id)
    if item not in groups:
        raise MenuError(f"the plan under {top!r} names group {item!r}, which has no entries")
    members = groups[item]
    if len(members) == 1:
        return _click(item, ENTRY_KEY_PREFIX + members[0].id)
    return _click(item, group_key(top, item))


def _click(name: str, key: str) -> dict[str, str]:
    _check_name(name, MAX_SUB_NAME_BYTES, "sub-button")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise MenuError(f"the key of sub-button {name!r} is over {MAX_KEY_BYTES} bytes")
    return {"type": "click", "name": name, "key": key}


def _check_name(name: str, limit: int, kind: str) -> None:
    size = len(name.encode())
    if size > limit:
        raise MenuError(
            f"{kind} name {name!r} is {size} bytes in UTF-8; WeChat allows {limit} "
            f"(a Chinese character takes 3)"
        )
