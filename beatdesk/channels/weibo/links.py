"""Reading the link of a post someone published by hand: is it a Weibo post, and whose?

Weibo shows a post at a few addresses: on the desktop site as `weibo.com/<uid>/<bid>`
(the bid is the post's id in base 62), and on the mobile site as
`m.weibo.cn/status/<id or bid>`, `m.weibo.cn/detail/<id or bid>` or
`m.weibo.cn/<uid>/<id or bid>`. Where the address names the author's uid, it must be the
account's own; a profile page, a search or any other host is not a post.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

DESKTOP_HOSTS = {"weibo.com", "www.weibo.com"}
MOBILE_HOSTS = {"m.weibo.cn"}
# A bid of a post of these years is nine base-62 characters; a numeric id, 16 digits.
POST_ID = r"(?P<post>[0-9]{15,19}|[0-9A-Za-z]{9})"
UID = r"(?P<uid>[0-9]{5,12})"
DESKTOP_PATH = re.compile(rf"/{UID}/{POST_ID}/?")
MOBILE_PATHS = (
    re.compile(rf"/(?:status|detail)/{POST_ID}/?"),
    re.compile(rf"/{UID}/{POST_ID}/?"),
)
MAX_LINK_LENGTH = 300


class LinkRefused(ValueError):
    """The pasted text is not the link of one of the account's posts."""


@dataclass(frozen=True)
class PublishedLink:
    """A post's id as its address gave it, and the address written the one way we keep."""

    post_id: str
    url: str


def _path_match(host: str, path: str) -> re.Match[str] | None:
    if host in DESKTOP_HOSTS:
        return DESKTOP_PATH.fullmatch(path)
    if host in MOBILE_HOSTS:
        return next((m for p in MOBILE_PATHS if (m := p.fullmatch(path))), None)
    return None


def _split(link: str) -> tuple[str, str]:
    if len(link) > MAX_LINK_LENGTH or any(character.isspace() for character in link):
        raise LinkRefused(_("Paste the post's address alone, as the browser shows it."))
    parts = urlsplit(link)
    if parts.scheme not in {"http", "https"} or parts.username or parts.port:
        raise LinkRefused(_("Paste the post's address, starting with https://."))
    return (parts.hostname or "").lower(), parts.path


def read_post_link(link: str, account_uid: str) -> PublishedLink:
    """Return the post a pasted address shows; raise LinkRefused if it is not one of ours."""
    host, path = _split(link.strip())
    found = _path_match(host, path)
    if found is None:
        raise LinkRefused(
            _("This is not the address of a Weibo post (weibo.com/… or m.weibo.cn/status/…).")
        )
    uid = found.groupdict().get("uid")
    if uid and account_uid and uid != account_uid:
        raise LinkRefused(_("This post belongs to another Weibo account than this one."))
    post_id = found["post"]
    if uid:
        return PublishedLink(post_id, f"https://weibo.com/{uid}/{post_id}")
    return PublishedLink(post_id, f"https://m.weibo.cn/status/{post_id}")
