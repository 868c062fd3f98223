"""Posts on a Weibo account: written, checked, and sent by the outbox or published by hand.

A post is an outbox row of kind `post`. Its text meets the share API's rules before the
row is written (`sharing.prepare`) and passes the content checker: a blocking finding
stops it, a finding to review stops it until the operator confirms, and that confirmation
is recorded. The outbox sends it through `statuses/share`; for an account marked to
publish by hand, the row waits (`manual`) until someone posts the prepared text on Weibo
and records the post's link here, or abandons it with a reason. Every change is audited.

Drafts and approval weighted by risk are later work: they end by calling
`do_write_post`, which is why it takes the text as it is to go out.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beatdesk.audit.actions import record
from beatdesk.channels import outbox
from beatdesk.channels.models import Account, OutboxMessage, OutboxStatus
from beatdesk.channels.weibo.links import LinkRefused, read_post_link
from beatdesk.channels.weibo.sharing import ShareRefused, prepare, settings_of
from beatdesk.checker.actions import do_record_check
from beatdesk.checker.core import CheckResult
from beatdesk.checker.lexicons import check_at
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

ABANDON_REASONS = {
    "published_elsewhere": gettext_lazy("Published another way"),
    "out_of_date": gettext_lazy("No longer current"),
    "withdrawn": gettext_lazy("Withdrawn after review"),
    "mistake": gettext_lazy("Written by mistake"),
}
# Rows a person may still give up: waiting for a person, or failed for good.
ABANDONABLE = {OutboxStatus.MANUAL, OutboxStatus.FAILED}


class PostRefused(ValueError):
    """The post was not written or changed; the message says why, for the operator."""


class PostHeldBack(PostRefused):
    """The checker stopped the post; `result` holds its findings."""

    def __init__(self, message: str, result: CheckResult, text: str) -> None:
        super().__init__(message)
        self.result = result
        self.text = text


def _checked(text: str, account: Account, *, confirmed: bool) -> tuple[CheckResult, str]:
    result, versions = check_at(text, account.unit, wrong_characters=True)
    if result.is_blocked:
        raise PostHeldBack(_("The post was not written: fix the blocking findings."), result, text)
    if result.needs_review and not confirmed:
        raise PostHeldBack(
            _("The post was not written: review the findings and confirm to post it."),
            result,
            text,
        )
    return result, versions


def _prepared(text: str, account: Account) -> str:
    text = text.strip()
    if not text:
        raise PostRefused(_("Write the post before sending it."))
    try:
        return prepare(text, settings_of(account))
    except ShareRefused as refused:
        raise PostRefused(str(refused)) from None


def do_write_post(
    account: Account, author: User, text: str, *, rip: str, key: str, confirmed: bool = False
) -> OutboxMessage:
    """Check a post and write its outbox row; a second call with the same key changes nothing.

    `rip` is the address of the person who asked: Weibo wants the real user's IP. `key`
    comes from the form, so a double submission or a retried request writes one post.
    """
    prepared = _prepared(text, account)
    result, versions = _checked(prepared, account, confirmed=confirmed)
    by_hand = settings_of(account).by_hand
    with transaction.atomic():
        post, created = outbox.enqueue_post(
            account, prepared, f"post:{key}", {"rip": rip}, by_hand=by_hand
        )
        if not created:
            return post
        record("post.written", post, actor=author, unit=account.unit, by_hand=by_hand)
        if result.findings:
            do_record_check(
                result,
                "channels.post",
                post.pk,
                unit=account.unit,
                actor=author,
                versions=versions,
                confirmed=result.needs_review,
            )
        if result.needs_review:
            record("post.review_confirmed", post, actor=author, unit=account.unit)
        if not by_hand:
            transaction.on_commit(_wake_relay)
    logger.info("weibo post written account=%s post=%s by_hand=%s", account.code, post.pk, by_hand)
    return post


def _wake_relay() -> None:
    # Imported here because the task module needs the app registry, which actions do not.
    from beatdesk.channels.tasks import relay_outbox

    relay_outbox()


def _locked(post: OutboxMessage, allowed: set[OutboxStatus]) -> OutboxMessage:
    locked = OutboxMessage.objects.select_for_update().select_related("account").get(pk=post.pk)
    if locked.status not in allowed:
        raise PostRefused(_("This post is no longer waiting for that."))
    return locked


def do_record_publication(post: OutboxMessage, actor: User, link: str) -> OutboxMessage:
    """Record the link of a post someone published by hand; the row is then sent."""
    try:
        published = read_post_link(link, post.account.original_id)
    except LinkRefused as refused:
        raise PostRefused(str(refused)) from None
    with transaction.atomic():
        post = _locked(post, {OutboxStatus.MANUAL})
        post.status, post.sent_at = OutboxStatus.SENT, timezone.now()
        post.external_id, post.external_url = published.post_id, published.url
        post.save(update_fields=["status", "sent_at", "external_id", "external_url"])
        record(
            "post.published_by_hand",
            post,
            actor=actor,
            unit=post.account.unit,
            post_id=published.post_id,
        )
    logger.info("weibo post published by hand post=%s", post.pk)
    return post


def do_abandon_post(post: OutboxMessage, actor: User, reason: str) -> OutboxMessage:
    """Give up a post that waits for a person or failed for good, naming why."""
    if reason not in ABANDON_REASONS:
        raise PostRefused(_("Choose why the post is abandoned."))
    with transaction.atomic():
        post = _locked(post, ABANDONABLE)
        post.status, post.last_error_code = OutboxStatus.ABANDONED, reason
        post.save(update_fields=["status", "last_error_code"])
        record("post.abandoned", post, actor=actor, unit=post.account.unit, reason=reason)
    logger.info("weibo post abandoned post=%s reason=%s", post.pk, reason)
    return post
