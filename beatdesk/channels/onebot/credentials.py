"""The secrets of a OneBot account, read from the encrypted credentials column."""

import json
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from beatdesk.channels.models import Account


class CredentialsError(ValueError):
    """The account's stored credentials are incomplete or malformed."""


@dataclass(frozen=True)
class OneBotCredentials:
    """Where the OneBot HTTP API listens, its token, and the key events are signed with."""

    api_base_url: str
    access_token: str
    secret: str

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        return "OneBotCredentials(••••)"

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def check_api_base_url(value: str) -> str:
    """Return the URL without its trailing slash; raise CredentialsError unless it is http(s)."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CredentialsError("the OneBot API address must be an http:// or https:// URL")
    return value.rstrip("/")


def credentials_of(account: Account) -> OneBotCredentials:
    """Return the account's OneBot secrets; raise CredentialsError if they cannot be used.

    A signing secret is required in every environment: an event without a valid signature
    is indistinguishable from one anybody who knows the address could send.
    """
    try:
        data = json.loads(account.credentials or "{}")
    except json.JSONDecodeError:
        raise CredentialsError("credentials are not JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError("credentials are not a JSON object")

    secret = str(data.get("secret", ""))
    if not secret:
        raise CredentialsError("the account has no signing secret")
    access_token = str(data.get("access_token", ""))
    if not access_token:
        raise CredentialsError("the account has no access token for the OneBot API")
    api_base_url = check_api_base_url(str(data.get("api_base_url", "")))
    return OneBotCredentials(api_base_url, access_token, secret)
