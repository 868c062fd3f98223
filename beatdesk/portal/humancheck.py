"""A human check for the public write form that needs no third party and no JavaScript.

Three checks together: a signed, timed form token (the form must come from our own page,
within two hours), a minimum fill time (nobody reads the page and writes in three seconds),
and a honeypot field hidden from people and screen readers that simple bots fill in.

What this does not stop: a script that fetches the form, waits three seconds and leaves
the honeypot empty; that is bounded only by the per-address rate limit, and a flood spread
over many addresses gets through both. Nor does it stop a person writing nonsense by hand.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.utils.translation import gettext as _

SALT = "beatdesk.portal.form"
MAX_AGE = timedelta(hours=2)
MIN_FILL_TIME = timedelta(seconds=3)
HONEYPOT_FIELD = "website"


class HumanCheckFailed(ValueError):
    """The form failed the human check; `expired` means a person may simply have been slow."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class FormToken:
    """A verified form token: its nonce names the submission, so a resend stores nothing new."""

    nonce: str


def issue_token(issued_at: float | None = None) -> str:
    """Return a new signed form token, stamped with the time the form was served.

    Signed as a timestamp signer would sign it, so that `verify` reads it back; the time is
    a parameter only so that tests can serve a form that was opened a while ago.
    """
    stamp = signing.b62_encode(int(time.time() if issued_at is None else issued_at))
    signer = signing.Signer(salt=SALT)
    return signer.sign(f"{secrets.token_urlsafe(16)}{signer.sep}{stamp}")


def verify(token: str, honeypot: str) -> FormToken:
    """Check the token's signature, its age, the fill time and the honeypot."""
    if honeypot:
        raise HumanCheckFailed(_("The form could not be sent. Please try again."))
    signer = signing.TimestampSigner(salt=SALT)
    try:
        nonce = signer.unsign(token, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise HumanCheckFailed(
            _("The form was open for a long time. Check your message and send it again."),
            expired=True,
        ) from None
    except signing.BadSignature:
        raise HumanCheckFailed(_("The form could not be sent. Please try again.")) from None
    if _age(signer, token) < MIN_FILL_TIME.total_seconds():
        raise HumanCheckFailed(_("That was very fast. Please check your message and send again."))
    return FormToken(nonce)


def _age(signer: signing.TimestampSigner, token: str) -> int:
    """Return the token's age in seconds; its signature is already verified."""
    unsigned = token.rsplit(signer.sep, 1)[0]
    issued = signing.b62_decode(unsigned.rsplit(signer.sep, 1)[1])
    return int(time.time()) - issued
