"""Which accounts a member of staff may operate or bind their own WeChat or QQ to.

An account belongs to a unit; whoever holds an operating role over that unit's subtree
(`units.policy`, action `operate_account`) may post through it, and anyone who works on
the cases of a unit an account serves may bind to it for alerts. Bindings are seen by
their owner only. Anything else is 404.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from beatdesk.channels.models import Account, ChannelKind, OutboxMessage, StaffBinding
from beatdesk.channels.outbox import POST_KIND
from beatdesk.units.access import CASE_WORK_ROLES, role_roots, subtree_filter, units_for
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


# The channels that can carry an alert to one person: a WeChat template message, a QQ
# private message from the unit's bot.
ALERT_KINDS = (ChannelKind.WECHAT, ChannelKind.ONEBOT)


def accounts_for_binding(user: User) -> QuerySet[Account]:
    """Return the active organ accounts that serve the units where the user works on cases.

    An account serves a unit when it belongs to the unit, to a unit below it (a leader's
    stations), or to a unit above it (a station without its own account is reached through
    its county's).
    """
    roots = role_roots(user, CASE_WORK_ROLES)
    if not roots:
        return Account.objects.none()
    above = {int(part) for root in roots for part in root.path.strip("/").split("/") if part}
    serves = subtree_filter(roots, "unit__") | Q(unit__in=above)
    return (
        Account.objects.filter(serves, kind__in=ALERT_KINDS, is_active=True, owner__isnull=True)
        .select_related("unit")
        .order_by("unit__path", "kind", "code")
    )


def bindings_of(user: User) -> QuerySet[StaffBinding]:
    """Return the user's own bindings, the only ones anybody sees."""
    return StaffBinding.objects.filter(user=user).select_related("account", "account__unit")


def access_binding_by_id(user: User, binding_id: int) -> StaffBinding:
    """Return one of the user's own bindings; anybody else's does not exist for them."""
    binding = bindings_of(user).filter(pk=binding_id).first()
    if binding is None:
        raise Http404("no such binding")
    return binding
