"""Sign-ins are sensitive actions too: each one is a record in the chain."""

from typing import Any

from django.http import HttpRequest

from beatdesk.audit.actions import record
from beatdesk.units.models import User


def record_sign_in(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Record who signed in; the address is not kept, only that it happened."""
    record("user.signed_in", user, actor=user)
