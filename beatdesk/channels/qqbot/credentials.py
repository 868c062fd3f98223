"""The secret of an official QQ bot, read from the encrypted credentials column.

One secret does two jobs: it buys access tokens for the OpenAPI, and it seeds the
Ed25519 key pair the platform signs its webhook requests with.
"""

import json
import re
from dataclasses import dataclass

from beatdesk.channels.models import Account

APP_ID_PATTERN = re.compile(r"[0-9]{1,20}")


class CredentialsError(ValueError):
    """The account's stored credentials are incomplete or malformed."""


@dataclass(frozen=True)
class QQBotCredentials:
    """The bot's AppID (public) and AppSecret (the platform calls it clientSecret)."""

    app_id: str
    app_secret: str

    def __repr__(self) -> str:
        # Never let the secret reach a log line or a traceback through repr().
        return f"QQBotCredentials(app_id={self.app_id}, ••••)"


def check_app_id(value: str) -> str:
    """Return the AppID; raise CredentialsError unless it is the platform's digits."""
    if not APP_ID_PATTERN.fullmatch(value):
        raise CredentialsError("a QQ bot's app_id is its AppID, a number")
    return value


def credentials_of(account: Account) -> QQBotCredentials:
    """Return the account's AppID and secret; raise CredentialsError if they cannot be used.

    Without the secret no request can be verified, so there is no unsigned mode.
    """
    try:
        data = json.loads(account.credentials or "{}")
    except json.JSONDecodeError:
        raise CredentialsError("credentials are not JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError("credentials are not a JSON object")

    secret = str(data.get("app_secret", ""))
    if not secret:
        raise CredentialsError("the account has no AppSecret")
    return QQBotCredentials(check_app_id(account.app_id), secret)
