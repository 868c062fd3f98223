"""Which QQ messages become cases, and which are kept only as the group's context.

A police group is mostly residents talking to each other. Only what is addressed to the
police opens a case: a mention of the bot or of an officer, a question, a tip, or one of
the group's keywords. A private message is always addressed to the police. Everything
else is stored, so an officer can read around a case, but nobody is asked to handle it.

The account's `channel_settings` hold the rules that are not secret:

    {"officer_ids": ["10009"],
     "keywords": ["电动车"],                        # every group
     "groups": {"20001": {"keywords": ["诈骗"]}}}   # one group
"""

import re
from dataclasses import dataclass
from typing import Any

from beatdesk.channels.models import Account
from beatdesk.channels.onebot.schemas import ID_PATTERN, MessageEvent

QUESTION = re.compile(r"[?？]|吗|怎么|如何|哪里|哪儿|请问|为什么|能不能|可不可以")
TIP = re.compile(r"举报|线索|报警|报案|求助|被骗|被盗|被偷|诈骗|失踪|走失")
MAX_KEYWORDS = 200
MAX_KEYWORD_LENGTH = 50


class Route:
    """Why a message became a case; the empty string means it is only context."""

    PRIVATE = "private"
    MENTION = "mention"
    QUESTION = "question"
    TIP = "tip"
    KEYWORD = "keyword"
    FOLLOW_UP = "follow_up"
    CONTEXT = ""


@dataclass(frozen=True)
class GroupRules:
    """The rules for one group of one account, read from its channel settings."""

    bot_id: str
    officer_ids: frozenset[str]
    keywords: tuple[str, ...]


def _ids(value: object) -> frozenset[str]:
    items = value if isinstance(value, list) else []
    return frozenset(str(item) for item in items if ID_PATTERN.fullmatch(str(item)))


def _keywords(value: object) -> list[str]:
    items = value if isinstance(value, list) else []
    words = [str(item).strip() for item in items if isinstance(item, str)]
    return [word for word in words if 0 < len(word) <= MAX_KEYWORD_LENGTH]


def rules_for(account: Account, group_id: str) -> GroupRules:
    """Read the group's rules; malformed settings count as no rule rather than an error."""
    settings: dict[str, Any] = (
        account.channel_settings if isinstance(account.channel_settings, dict) else {}
    )
    groups = settings.get("groups")
    group = groups.get(group_id, {}) if isinstance(groups, dict) else {}
    group_words = _keywords(group.get("keywords")) if isinstance(group, dict) else []
    words = _keywords(settings.get("keywords")) + group_words
    return GroupRules(
        bot_id=account.app_id,
        officer_ids=_ids(settings.get("officer_ids")),
        keywords=tuple(words[:MAX_KEYWORDS]),
    )


def route_group_message(event: MessageEvent, rules: GroupRules) -> str:
    """Return why the group message is a matter for the police, or "" for chatter."""
    mentioned = set(event.mentions)
    if (rules.bot_id and rules.bot_id in mentioned) or mentioned & rules.officer_ids:
        return Route.MENTION
    text = event.text
    if TIP.search(text):
        return Route.TIP
    if QUESTION.search(text):
        return Route.QUESTION
    if any(word in text for word in rules.keywords):
        return Route.KEYWORD
    return Route.CONTEXT
