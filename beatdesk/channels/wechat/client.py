"""Calls to the WeChat API: one shared access token, bounded retries, classified errors.

wechatpy 1.8.18 retries token errors without limit and fetches tokens from a fixed
address, so its retry is off and token fetching is ours: the stable-token endpoint, one
row per account shared by every process, refreshed ahead of expiry under a row lock.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from beatdesk.channels.models import AccessToken, Account
from beatdesk.channels.wechat.credentials import credentials_of

logger = logging.getLogger(__name__)

TOKEN_ERRORS = {40001, 40014, 41001, 42001}
REFRESH_AHEAD = timedelta(minutes=5)
HTTP_TIMEOUT_SECONDS = 5


class WeChatAPIError(Exception):
    """The WeChat API answered with an error code (or not at all: code None)."""

    def __init__(self, code: int | None, detail: str = "") -> None:
        super().__init__(f"wechat error {code}")
        self.code = code
        self.detail = detail


def api_base() -> str:
    return settings.WECHAT_API_BASE_URL.rstrip("/")


def _fetch_stable_token(account: Account, force: bool) -> tuple[str, int]:
    body = {
        "grant_type": "client_credential",
        "appid": account.app_id,
        "secret": credentials_of(account).app_secret,
        "force_refresh": force,
    }
    try:
        response = requests.post(
            f"{api_base()}/cgi-bin/stable_token", json=body, timeout=HTTP_TIMEOUT_SECONDS
        )
        data: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError):
        raise WeChatAPIError(None, "token endpoint unreachable") from None

    if "access_token" not in data:
        raise WeChatAPIError(int(data.get("errcode", -1)), "token refused")
    return str(data["access_token"]), int(data.get("expires_in", 7200))


def access_token_for(account: Account, *, force: bool = False, now: datetime | None = None) -> str:
    """Return a valid token, fetching one only if the shared one is missing or near expiry."""
    moment = now or timezone.now()
    with transaction.atomic():
        AccessToken.objects.get_or_create(account=account)
        held = AccessToken.objects.select_for_update().get(account=account)
        fresh = held.expires_at is not None and held.expires_at - REFRESH_AHEAD > moment
        if held.token and fresh and not force:
            return str(held.token)

        token, expires_in = _fetch_stable_token(account, force)
        held.token, held.fetched_at = token, moment
        held.expires_at = moment + timedelta(seconds=expires_in)
        held.save()
    logger.info("wechat token refreshed account=%s forced=%s", account.code, force)
    return token


class _Client(WeChatClient):  # type: ignore[misc]
    """wechatpy's client pointed at our API base, with its own retry turned off."""

    def __init__(self, account: Account, token: str) -> None:
        super().__init__(
            account.app_id, "", access_token=token, timeout=HTTP_TIMEOUT_SECONDS, auto_retry=False
        )
        self.API_BASE_URL = f"{api_base()}/cgi-bin/"

    def fetch_access_token(self) -> None:
        raise WeChatAPIError(None, "token fetching goes through access_token_for")


def _call_once(account: Account, token: str, call: Callable[[_Client], object]) -> None:
    client = _Client(account, token)
    try:
        call(client)
    except WeChatClientException as error:
        code = int(error.errcode) if error.errcode is not None else None
        raise WeChatAPIError(code, "call refused") from None
    except requests.RequestException:
        raise WeChatAPIError(None, "API unreachable") from None
    finally:
        # wechatpy's client and its API objects refer to each other, so only the cycle
        # collector would free its session: a busy worker kept hundreds of sockets open.
        client._http.close()


def _with_token[T](account: Account, attempt: Callable[[str], T], token_retries: int) -> T:
    """Run one API call with the shared token; refresh it a bounded number of times."""
    token = access_token_for(account)
    for tries in range(token_retries + 1):
        try:
            return attempt(token)
        except WeChatAPIError as error:
            if error.code not in TOKEN_ERRORS or tries == token_retries:
                raise
            token = access_token_for(account, force=True)
    raise AssertionError("the loop returns or raises")


def _call(account: Account, call: Callable[[_Client], object], token_retries: int) -> None:
    """Make one call through wechatpy's client."""
    _with_token(account, lambda token: _call_once(account, token, call), token_retries)


def send_text(account: Account, openid: str, text: str, token_retries: int = 2) -> None:
    """Send a customer-service text message."""
    _call(account, lambda client: client.message.send_text(openid, text), token_retries)


def create_menu(account: Account, menu: dict[str, Any], token_retries: int = 2) -> None:
    """Replace the account's custom menu with `menu`, the JSON body of menu/create."""
    _call(account, lambda client: client.menu.create(menu), token_retries)


def _post_template(body: dict[str, Any], token: str) -> str:
    """POST one template message; return WeChat's msgid or raise WeChatAPIError."""
    # Sent as UTF-8 JSON rather than \u escapes, the way WeChat's own examples are written.
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        response = requests.post(
            f"{api_base()}/cgi-bin/message/template/send",
            params={"access_token": token},
            data=data,
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        answer: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError):
        raise WeChatAPIError(None, "API unreachable") from None
    if not isinstance(answer, dict):
        raise WeChatAPIError(None, "API answer is not a JSON object")

    code = int(answer.get("errcode", -1))
    if code != 0:
        raise WeChatAPIError(code, "template message refused")
    return str(answer.get("msgid", ""))


def send_template(account: Account, body: dict[str, Any], token_retries: int = 2) -> str:
    """Send a template message (no 48-hour window); refresh the token a bounded number of times.

    `body` is the wire body without the token: touser, template_id, data and, optionally,
    client_msg_id. Returns WeChat's msgid.
    """
    return _with_token(account, lambda token: _post_template(body, token), token_retries)
