"""Binding a member of staff's own WeChat or QQ, so that emergency alerts reach them there.

The officer makes a one-time code on their alerts page and sends "绑定 <code>" (or
"bind <code>") from their own WeChat or QQ to one of their units' accounts. The adapter
hands such a message here instead of to the inbox: it opens no case, becomes no
resident's message, and stays only as the raw delivery. A code works once, for ten
minutes, and only a keyed hash of it is stored; wrong codes are counted per sender and per
account, so guessing stops long before it could succeed.
"""

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.channels import outbox
from beatdesk.channels.access import accounts_for_binding
from beatdesk.channels.deliveries import queue_automatic_reply
from beatdesk.channels.models import (
    Account,
    BindingAttempt,
    BindingCode,
    InboundDelivery,
    OutboxMessage,
    StaffBinding,
)
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(minutes=10)
# With 31^8 possible codes and these ceilings, a guesser's chance stays below one in a
# billion a day; an officer who mistypes has five tries an hour.
TRIES_PER_SENDER = 5
TRIES_PER_ACCOUNT = 100
TRIES_WINDOW = timedelta(hours=1)
# Nothing older than this counts any more, so older attempts are deleted.
ATTEMPTS_KEPT = timedelta(days=1)

# The code may be typed in any case, with a space or hyphen between characters.
COMMAND = re.compile(
    rf"(?:绑定|bind)[\s:：]*([A-Za-z0-9](?:[\s-]?[A-Za-z0-9]){{{CODE_LENGTH - 1}}})",
    re.IGNORECASE,
)


class BindingError(Exception):
    """A binding change was refused; the message is safe to show to the user."""


class Outcome(StrEnum):
    BOUND = "bound"
    WRONG_CODE = "wrong_code"
    TOO_MANY_TRIES = "too_many_tries"
    NOT_SERVED = "not_served"
    NOT_READY = "not_ready"
    TAKEN = "taken"


# Which accounts can carry an alert now: each alert channel's adapter registers its check
# (a WeChat account needs its template configured), so this core never imports one.
_alert_checks: dict[str, Callable[[Account], bool]] = {}


def register_alert_channel(kind: str, check: Callable[[Account], bool]) -> None:
    """Say that accounts of this kind carry alerts when `check` says they are ready."""
    _alert_checks[kind] = check


def carries_alerts(account: Account) -> bool:
    """Return whether an alert sent through this account could reach its recipient."""
    check = _alert_checks.get(account.kind)
    return check is not None and check(account)


def _keyed_hash(purpose: str, value: str) -> str:
    # Keyed with the secret key: a copy of the database alone cannot test guesses offline.
    return salted_hmac(f"beatdesk.bindings.{purpose}", value, algorithm="sha256").hexdigest()


def code_hash(code: str) -> str:
    """Return the stored form of a code, as typed in any case, with spaces or hyphens."""
    return _keyed_hash("code", re.sub(r"[\s-]", "", code).upper())


def parse_command(text: str) -> str | None:
    """Return the code if the text is a binding command and nothing else, or None."""
    match = COMMAND.fullmatch(text.strip())
    return match.group(1) if match else None


def is_binding_command(text: str) -> bool:
    return parse_command(text) is not None


def do_issue_code(user: User) -> str:
    """Make the user a new one-time code, retiring any earlier one; return it in clear."""
    if not accounts_for_binding(user).exists():
        raise BindingError(_("None of your units has an account that can carry alerts."))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        BindingCode.objects.filter(user=user, used_at__isnull=True).delete()
        issued = BindingCode.objects.create(
            user=user, code_hash=code_hash(code), expires_at=timezone.now() + CODE_LIFETIME
        )
        record("binding.code_issued", issued, actor=user)
    return code


def do_remove_binding(binding: StaffBinding, actor: User) -> None:
    """Stop alerts reaching this WeChat or QQ; the audit trail keeps that it was bound."""
    with transaction.atomic():
        record(
            "binding.removed",
            binding,
            actor=actor,
            unit=binding.account.unit,
            account=binding.account_id,
        )
        binding.delete()


@dataclass(frozen=True)
class Attempt:
    """Who sent a code to which account, and when."""

    account: Account
    sender: str
    at: datetime


def do_bind(account: Account, external_id: str, code: str) -> Outcome:
    """Bind the sender to the code's owner, or say why not; a refusal binds and uses nothing."""
    attempt = Attempt(
        account, _keyed_hash("sender", f"{account.pk}:{external_id}"), timezone.now()
    )
    with transaction.atomic():
        if _too_many_tries(attempt):
            return Outcome.TOO_MANY_TRIES
        issued = (
            BindingCode.objects.select_for_update()
            .select_related("user")
            .filter(code_hash=code_hash(code), used_at__isnull=True, expires_at__gt=attempt.at)
            .first()
        )
        outcome = _refusal(issued, account, external_id)
        _note_attempt(attempt, succeeded=outcome is None)
        if issued is None or outcome is not None:
            return outcome or Outcome.WRONG_CODE
        _bind(issued, account, external_id, attempt.at)
    return Outcome.BOUND


def _too_many_tries(attempt: Attempt) -> bool:
    since = attempt.at - TRIES_WINDOW
    failed = BindingAttempt.objects.filter(account=attempt.account, at__gte=since, succeeded=False)
    if failed.filter(sender_hash=attempt.sender).count() >= TRIES_PER_SENDER:
        logger.warning("binding tries exhausted account=%s scope=sender", attempt.account.code)
        return True
    if failed.count() >= TRIES_PER_ACCOUNT:
        logger.warning("binding tries exhausted account=%s scope=account", attempt.account.code)
        return True
    return False


def _refusal(issued: BindingCode | None, account: Account, external_id: str) -> Outcome | None:
    """Return why a code cannot bind here, or None when it can."""
    if issued is None:
        return Outcome.WRONG_CODE
    if not accounts_for_binding(issued.user).filter(pk=account.pk).exists():
        return Outcome.NOT_SERVED
    if not carries_alerts(account):
        return Outcome.NOT_READY
    taken = StaffBinding.objects.filter(account=account, external_id=external_id)
    if taken.exclude(user=issued.user).exists():
        return Outcome.TAKEN
    return None


def _note_attempt(attempt: Attempt, succeeded: bool) -> None:
    BindingAttempt.objects.filter(at__lt=attempt.at - ATTEMPTS_KEPT).delete()
    BindingAttempt.objects.create(
        account=attempt.account, sender_hash=attempt.sender, succeeded=succeeded
    )
    if not succeeded:
        logger.info("binding code refused account=%s", attempt.account.code)


def _bind(issued: BindingCode, account: Account, external_id: str, at: datetime) -> None:
    issued.used_at = at
    issued.save(update_fields=["used_at"])
    binding, created = StaffBinding.objects.get_or_create(
        account=account, external_id=external_id, defaults={"user": issued.user}
    )
    if not created:
        # Binding again is how an officer who followed the account again clears the flag.
        binding.needs_attention = ""
        binding.save(update_fields=["needs_attention"])
    record(
        "binding.created",
        binding,
        actor=issued.user,
        unit=account.unit,
        account=account.pk,
        again=not created,
    )


def take_binding_command(delivery: InboundDelivery, external_id: str, text: str) -> str | None:
    """Handle a binding command in a stored push and queue its answer; None if it is none.

    Call it inside the inbox step's transaction, instead of handing the push to the inbox:
    the command opens no case and is kept only as the raw delivery. Returns the answer.
    """
    code = parse_command(text)
    if code is None:
        return None
    outcome = do_bind(delivery.account, external_id, code)
    reply = binding_reply(outcome)
    queue_automatic_reply(delivery, external_id, reply)
    logger.info("binding command account=%s outcome=%s", delivery.account.code, outcome)
    return reply


def binding_reply(outcome: Outcome) -> str:
    """Return what the sender of a binding command is told, in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(_REPLIES[outcome]())


_REPLIES: dict[Outcome, Callable[[], str]] = {
    Outcome.BOUND: lambda: _(
        "Bound: Beatdesk's emergency alerts for you will also come here. You can remove "
        "this binding on your alerts page in Beatdesk."
    ),
    Outcome.WRONG_CODE: lambda: _(
        "That code is wrong, used or expired. Make a new code on your alerts page in "
        "Beatdesk and send it within 10 minutes."
    ),
    Outcome.TOO_MANY_TRIES: lambda: _(
        "Too many wrong codes were sent. Wait an hour, then send a new code."
    ),
    Outcome.NOT_SERVED: lambda: _(
        "This account does not serve your units. Send the code to one of the accounts "
        "listed on your alerts page."
    ),
    Outcome.NOT_READY: lambda: _(
        "This account cannot send alerts yet. Ask an operator to set up its alert template."
    ),
    Outcome.TAKEN: lambda: _(
        "This WeChat or QQ is already bound to another member of staff, who must remove "
        "the binding first."
    ),
}


# Alerts.


def enqueue_alert(
    binding: StaffBinding, text: str, key: str, parts: dict[str, str]
) -> OutboxMessage:
    """Write an alert for one binding to the outbox; call inside the deciding transaction.

    `parts` are the alert's pieces for channels that fill a template (WeChat); `text` is
    the whole alert for those that send text (QQ). A repeated key finds the row it made.
    """
    extra = parts | {"binding": str(binding.pk)}
    return outbox.enqueue(
        binding.account, binding.external_id, text, key, extra, kind=outbox.ALERT_KIND
    )


def alert_bindings_of(users: list[User]) -> list[StaffBinding]:
    """Return the bindings through which these people can be alerted now."""
    bindings = StaffBinding.objects.filter(
        user__in=users, user__is_active=True, account__is_active=True
    ).select_related("account", "account__unit", "user")
    return [
        binding
        for binding in bindings.order_by("user_id", "id")
        if carries_alerts(binding.account)
    ]
