"""Who may operate which accounts, and see their posts: the one place pages ask.

An account belongs to a unit; whoever holds an operating role over that unit's subtree
(`units.policy`, action `operate_account`) may post through it. Anything else is 404.
"""

from django.db.models import QuerySet
from django.http import Http404

from beatdesk.channels.models import Account, OutboxMessage
from beatdesk.channels.outbox import POST_KIND
from beatdesk.units.access import units_for
from beatdesk.units.models import User
from beatdesk.units.policy import Action, roles_for

OPERATOR_ROLES = roles_for(Action.OPERATE_ACCOUNT)


def accounts_for(user: User) -> QuerySet[Account]:
    """Return the active accounts the user may post through."""
    units = units_for(user, OPERATOR_ROLES)
    return Account.objects.filter(unit__in=units, is_active=True).select_related("unit")


def posts_for(user: User) -> QuerySet[OutboxMessage]:
    """Return the posts of every account the user may operate, newest first."""
    units = units_for(user, OPERATOR_ROLES)
    return (
        OutboxMessage.objects.filter(kind=POST_KIND, account__unit__in=units)
        .select_related("account", "account__unit")
        .order_by("-created_at", "-id")
    )


def access_account_by_code(user: User, code: str, kind: str) -> Account:
    """Return an account of this kind the user may operate; 404 for any other."""
    account = accounts_for(user).filter(code=code, kind=kind).first()
    if account is None:
        raise Http404("No such account")
    return account


def access_post_by_id(user: User, post_id: int) -> OutboxMessage:
    """Return a post of an account the user may operate; 404 for any other."""
    post = posts_for(user).filter(pk=post_id).first()
    if post is None:
        raise Http404("No such post")
    return post
