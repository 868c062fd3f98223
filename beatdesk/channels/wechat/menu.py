"""Push an account's custom menu, built from the knowledge in force at its unit.

The menu is the knowledge base's three-level tree folded into WeChat's two levels
(`inbox.knowledge.menus`); its clicks come back as `CLICK` events and are answered from
the same knowledge (`inbox.answering.menu_click_answer`).
"""

import logging
from typing import Any

from django.db import transaction

from beatdesk.audit.actions import record
from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.wechat.client import WeChatAPIError, create_menu
from beatdesk.inbox.answering import knowledge_at
from beatdesk.inbox.knowledge import MenuError, MenuPlan, build_menu, default_menu_plan
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

# What WeChat's refusals of menu/create mean, for the person who pushed it.
MENU_ERRORS = {
    40015: "a button has a type WeChat does not know",
    40016: "the menu must have 1 to 3 top-level buttons",
    40017: "a top-level button must have 1 to 5 sub-buttons",
    40018: "a top-level button name is too long",
    40019: "a button key is too long",
    40024: "a sub-button has a type WeChat does not know",
    40025: "a sub-button name is too long",
    40026: "a sub-button key is too long",
    48001: "the account may not use the menu API (it needs verification by WeChat)",
}


class MenuPushError(Exception):
    """The menu was not pushed; the message says why in words for an operator."""


def menu_for(account: Account, plan: MenuPlan | None = None) -> dict[str, Any]:
    """Return the menu/create body for the account, from its unit's knowledge and a plan."""
    if account.kind != ChannelKind.WECHAT:
        raise MenuPushError(f"{account.code} is not a WeChat account")
    knowledge = knowledge_at(account.unit)
    try:
        return build_menu(knowledge.entries, plan if plan is not None else default_menu_plan())
    except MenuError as error:
        raise MenuPushError(str(error)) from None


def push_menu(account: Account, plan: MenuPlan | None = None, actor: User | None = None) -> int:
    """Build and push the account's menu; return its number of top-level buttons."""
    menu = menu_for(account, plan)
    try:
        create_menu(account, menu)
    except WeChatAPIError as error:
        reason = MENU_ERRORS.get(error.code or 0, f"WeChat refused it (error {error.code})")
        if error.code is None:
            reason = "the WeChat API could not be reached; try again later"
        raise MenuPushError(f"the menu was not changed: {reason}") from None

    buttons = len(menu["button"])
    with transaction.atomic():
        record("account.menu_pushed", account, actor=actor, unit=account.unit, buttons=buttons)
    logger.info("wechat menu pushed account=%s buttons=%s", account.code, buttons)
    return buttons
