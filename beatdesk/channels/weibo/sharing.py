"""What `statuses/share` accepts, checked before a post is written and again before it goes.

Since 2017 `statuses/share` is the only way an app may publish on Weibo, and it takes a
post only if its text is at most 140 Weibo characters, holds no `#topic#`, and carries a
link on the security domain bound to the app (otherwise 10017). The bound domain and the
station's portal link are in the account's channel settings: when the text carries no
link on the domain, the portal link is appended, if there is one.

Weibo counts characters by code point: one in Latin-1 (U+0000 to U+00FF) is half a
character, one elsewhere in the Basic Multilingual Plane is one, and one beyond it (most
emoji, rare Chinese characters) is two; a half left over counts as one.

An account marked to publish by hand (`publish_by_hand`) skips the API's rules: a person
posts the text through Weibo itself, where topics are allowed and posts may be longer.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from beatdesk.channels.models import Account

SHARE_LIMIT = 140
# Weibo's own editor takes long posts (up to 2000 characters since 2016); past that a
# person could not paste the text in one piece.
BY_HAND_LIMIT = 2000
TOPIC = re.compile(r"#[^#\r\n]+#")
LINK = re.compile(r"https?://[^\s<>\"'，。、；：！？）》」]+", re.IGNORECASE)


class ShareRefused(ValueError):
    """The text breaks a rule of the share API; `code` names which, the message says how."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ShareSettings:
    """The account's settings that decide what a post must carry."""

    domain: str
    portal_url: str
    by_hand: bool


def weibo_length(text: str) -> int:
    """Return the length Weibo counts, in whole characters."""
    halves = 0
    for character in text:
        point = ord(character)
        halves += 1 if point <= 0xFF else 2 if point <= 0xFFFF else 4
    return (halves + 1) // 2


def settings_of(account: Account) -> ShareSettings:
    """Read the bound domain, the portal link and the by-hand mark from channel settings."""
    stored = account.channel_settings or {}
    domain = stored.get("share_domain", "")
    portal = stored.get("portal_url", "")
    return ShareSettings(
        domain=domain.strip().lower().rstrip(".") if isinstance(domain, str) else "",
        portal_url=portal.strip() if isinstance(portal, str) else "",
        by_hand=stored.get("publish_by_hand") is True,
    )


def _on_domain(link: str, domain: str) -> bool:
    host = (urlsplit(link).hostname or "").lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def links_on_domain(text: str, domain: str) -> list[str]:
    """Return the links in the text whose host is the domain or one of its subdomains."""
    return [link for link in LINK.findall(text) if domain and _on_domain(link, domain)]


def _with_domain_link(text: str, found: ShareSettings) -> str:
    if not found.domain:
        raise ShareRefused(
            "no-domain",
            _("This account has no bound security domain; Weibo refuses its posts."),
        )
    if links_on_domain(text, found.domain):
        return text
    if found.portal_url and _on_domain(found.portal_url, found.domain):
        return f"{text} {found.portal_url}"
    raise ShareRefused(
        "no-domain-link",
        _("Weibo takes a post only with a link on %(domain)s; add one to the text.")
        % {"domain": found.domain},
    )


def _within(text: str, limit: int) -> str:
    length = weibo_length(text)
    if length > limit:
        raise ShareRefused(
            "too-long",
            _("The post is %(length)d Weibo characters long; at most %(limit)d fit.")
            % {"length": length, "limit": limit},
        )
    return text


def prepare(text: str, found: ShareSettings) -> str:
    """Return the text as it will be posted; raise ShareRefused for what Weibo would refuse."""
    if found.by_hand:
        if found.portal_url and found.portal_url not in text:
            text = f"{text} {found.portal_url}"
        return _within(text, BY_HAND_LIMIT)
    if TOPIC.search(text):
        raise ShareRefused(
            "topic",
            _("Weibo refuses #topic# marks in posts from apps; remove the pair of # signs."),
        )
    return _within(_with_domain_link(text, found), SHARE_LIMIT)
