"""The secrets of a Weibo account, read from the encrypted credentials column.

The app key (OAuth `client_id`) is public and lives in `Account.app_id`; the app secret
signs fan-service pushes and exchanges authorisation codes. The fan-service token, issued
on the fan-service developer page of a verified account, is only needed for private
replies. The OAuth access token itself is kept in `AccessToken`, with its expiry.
"""

import json
from dataclasses import asdict, dataclass

from beatdesk.channels.models import Account

# Weibo's page for desktop apps, which shows the code to copy when no site of ours is
# registered as the callback.
DEFAULT_REDIRECT_URI = "https://api.weibo.com/oauth2/default.html"


class CredentialsError(ValueError):
    """The account's stored credentials are incomplete or malformed."""


@dataclass(frozen=True)
class WeiboCredentials:
    app_key: str
    app_secret: str
    redirect_uri: str = DEFAULT_REDIRECT_URI
    fans_service_token: str = ""

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        return "WeiboCredentials(••••)"

    def to_json(self) -> str:
        """Return the secret part, as stored in the credentials column."""
        data = asdict(self)
        del data["app_key"]
        return json.dumps(data)


def _stored(account: Account) -> dict[str, object]:
    try:
        data = json.loads(account.credentials or "{}")
    except json.JSONDecodeError:
        raise CredentialsError("credentials are not JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError("credentials are not a JSON object")
    return data


def credentials_of(account: Account) -> WeiboCredentials:
    """Return the account's Weibo secrets; raise CredentialsError if they cannot be used."""
    data = _stored(account)
    if not account.app_id:
        raise CredentialsError("the account has no app key (app_id)")
    secret = str(data.get("app_secret", ""))
    if not secret:
        raise CredentialsError("the account has no app secret")
    redirect_uri = str(data.get("redirect_uri", "")) or DEFAULT_REDIRECT_URI
    fans_token = str(data.get("fans_service_token", ""))
    return WeiboCredentials(account.app_id, secret, redirect_uri, fans_token)


def with_fans_service_token(account: Account, token: str) -> str:
    """Return the credentials JSON with the fan-service token replaced, other keys kept."""
    data = _stored(account)
    data["fans_service_token"] = token
    return json.dumps(data)
