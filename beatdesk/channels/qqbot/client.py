"""Calls to the QQ bot OpenAPI: one shared access token, classified errors.

The token comes from `getAppAccessToken` with the AppID and AppSecret and goes in
`Authorization: QQBot <token>`. The platform issues a new token only in the last 60
seconds of the old one's life (the old one stays valid through them), so we refresh
inside that minute rather than earlier, when we would only get the same token back.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beatdesk.channels.models import AccessToken, Account
from beatdesk.channels.qqbot.credentials import credentials_of

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 5
REFRESH_AHEAD = timedelta(seconds=50)
LONGEST_TOKEN_LIFE = 7200


class ErrorClass:
    """How a refusal should be handled: by the outbox, or by us at once."""

    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    WINDOW = "window"
    REAUTHORIZE = "reauthorize"
    DUPLICATE = "duplicate"


# Business codes found in the official error table and in what bots in production report
# (see the README for sources). Codes not listed here are classified by HTTP status.
WINDOW_CODES = {
    304027,  # MSG_EXPIRE: the message replied to has expired (documented for channels)
    304103,  # the message id has expired
    40034005,  # 回复消息msg_id已过期: the passive reply window is over
    40034031,  # msgid已经过期,不能回复
    40034024,  # msg_id无效或越权: seen when replying to an old message again and again
    40034128,  # 被动回复时间或次数超限: the window's time or its five replies are used up
    40034102,  # 主动消息失败, 无权限: no passive id and no right to push (since April 2025)
    40034105,  # the same refusal under another code
}
TEMPORARY_CODES = {22009, 20028, 1100100, 1100300, 11242, 11252, 11263, 11281}
TOKEN_CODES = {11241, 11243, 11244}
DUPLICATE_CODES = {40054005}  # 消息被去重: this msg_id and msg_seq were accepted before


class QQBotAPIError(Exception):
    """The API refused a call or could not be reached; `error_class` says what to do."""

    def __init__(self, code: str, detail: str, error_class: str) -> None:
        super().__init__(f"qqbot error {code}")
        self.code = code
        self.detail = detail
        self.error_class = error_class


@dataclass(frozen=True)
class Sent:
    """The platform's id of a message it accepted."""

    message_id: str


def _token_url() -> str:
    return str(settings.QQBOT_TOKEN_URL)


def _api_base() -> str:
    return str(settings.QQBOT_API_BASE_URL).rstrip("/")


def _read_json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    return data if isinstance(data, dict) else {}


def _fetch_token(account: Account) -> tuple[str, int]:
    creds = credentials_of(account)
    body = {"appId": creds.app_id, "clientSecret": creds.app_secret}
    try:
        response = requests.post(
            _token_url(), json=body, timeout=HTTP_TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException:
        raise QQBotAPIError(
            "token-network", "token endpoint unreachable", ErrorClass.TEMPORARY
        ) from None
    data = _read_json(response)
    token = data.get("access_token")
    if response.status_code != 200 or not isinstance(token, str) or not token:
        # A wrong AppID or secret is the usual cause, which no retry will fix; an overloaded
        # or failing endpoint is worth another try.
        code = _business_code(data) or response.status_code
        status = response.status_code
        busy = status == 429 or status >= 500
        error_class = ErrorClass.TEMPORARY if busy else ErrorClass.PERMANENT
        raise QQBotAPIError(f"token-{code}", "token refused", error_class)
    return token, _lifetime(data.get("expires_in"))


def _lifetime(value: object) -> int:
    # Documented as a number, returned as a string in the documentation's own example.
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= LONGEST_TOKEN_LIFE:
        return value
    return 60


def access_token_for(account: Account, *, force: bool = False, now: datetime | None = None) -> str:
    """Return a valid token, fetching one only if the shared one is missing or about to end."""
    moment = now or timezone.now()
    with transaction.atomic():
        AccessToken.objects.get_or_create(account=account)
        held = AccessToken.objects.select_for_update().get(account=account)
        fresh = held.expires_at is not None and held.expires_at - REFRESH_AHEAD > moment
        if held.token and fresh and not force:
            return str(held.token)

        token, expires_in = _fetch_token(account)
        held.token, held.fetched_at = token, moment
        held.expires_at = moment + timedelta(seconds=expires_in)
        held.save()
    logger.info("qqbot token refreshed account=%s forced=%s", account.code, force)
    return token


def _classify(status: int, code: int | None) -> str:
    if code in DUPLICATE_CODES:
        return ErrorClass.DUPLICATE
    if code in WINDOW_CODES:
        return ErrorClass.WINDOW
    if status == 401 or code in TOKEN_CODES:
        return ErrorClass.REAUTHORIZE
    if code in TEMPORARY_CODES or status == 429 or status >= 500:
        return ErrorClass.TEMPORARY
    return ErrorClass.PERMANENT


def _business_code(data: dict[str, Any]) -> int | None:
    # The body names the code `code` or `err_code`, sometimes both.
    for name in ("err_code", "code"):
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value != 0:
            return value
    return None


def _post_once(account: Account, path: str, body: dict[str, Any], token: str) -> Sent:
    try:
        response = requests.post(
            f"{_api_base()}{path}",
            json=body,
            headers={"Authorization": f"QQBot {token}"},
            timeout=HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException:
        raise QQBotAPIError("network", "API unreachable", ErrorClass.TEMPORARY) from None
    data = _read_json(response)
    code = _business_code(data)
    message_id = data.get("id")
    if 200 <= response.status_code < 300 and code is None and isinstance(message_id, str):
        return Sent(message_id[:100])

    label = str(code) if code is not None else f"http-{response.status_code}"
    error_class = _classify(response.status_code, code)
    logger.info(
        "qqbot send refused account=%s status=%s code=%s class=%s",
        account.code,
        response.status_code,
        label,
        error_class,
    )
    raise QQBotAPIError(label, "send refused", error_class)


def post_message(account: Account, path: str, body: dict[str, Any]) -> Sent:
    """POST one message; fetch a new token once if the platform refuses the old one."""
    token = access_token_for(account)
    try:
        return _post_once(account, path, body, token)
    except QQBotAPIError as error:
        if error.error_class != ErrorClass.REAUTHORIZE:
            raise
    token = access_token_for(account, force=True)
    return _post_once(account, path, body, token)
