"""The secrets of a WeChat account, read from the encrypted credentials column."""

import json
from dataclasses import asdict, dataclass

from beatdesk.channels.models import Account


class CredentialsError(ValueError):
    """The account's stored credentials are incomplete or malformed."""


@dataclass(frozen=True)
class WeChatCredentials:
    token: str
    app_secret: str = ""
    encoding_aes_key: str = ""

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        return "WeChatCredentials(••••)"

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def credentials_of(account: Account) -> WeChatCredentials:
    """Return the account's WeChat secrets; raise CredentialsError if they cannot be used."""
    try:
        data = json.loads(account.credentials or "{}")
    except json.JSONDecodeError:
        raise CredentialsError("credentials are not JSON") from None

    token = str(data.get("token", ""))
    if not token:
        raise CredentialsError("the account has no token")
    aes_key = str(data.get("encoding_aes_key", ""))
    if aes_key and len(aes_key) != 43:
        raise CredentialsError("EncodingAESKey must be 43 characters")
    return WeChatCredentials(token, str(data.get("app_secret", "")), aes_key)
