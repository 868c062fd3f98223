"""Calls to a OneBot v11 HTTP API (NapCat, Lagrange.OneBot): bearer token, classified errors.

The HTTP status says little: NapCat answers 200 to an unknown action and to a send that
failed, and only the envelope's `status` and `retcode` tell. Success is `status == "ok"`
with `retcode == 0`, nothing else.
"""

import logging
from typing import Any
from urllib.parse import urlsplit

import requests

from beatdesk.channels.models import Account
from beatdesk.channels.onebot.credentials import CredentialsError, check_api_host, credentials_of
from beatdesk.channels.onebot.schemas import Conversation, Segment

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 5
# HTTP answers that a retry cannot change: bad token (401/403), unknown action (404),
# a body the implementation cannot read (400, 406).
PERMANENT_HTTP = {400, 401, 403, 404, 406}
# Retcodes for a request that is wrong in itself: go-cqhttp's 100 (bad parameters),
# NapCat's 400 (parameter validation) and the WebSocket mirrors of the HTTP statuses.
PERMANENT_RETCODES = {100, 400, 1400, 1401, 1403, 1404}


class OneBotAPIError(Exception):
    """The API refused a call or could not be reached; `permanent` says if a retry can help."""

    def __init__(self, code: str, detail: str, permanent: bool) -> None:
        super().__init__(f"onebot error {code}")
        self.code = code
        self.detail = detail
        self.permanent = permanent


def _post(account: Account, action: str, params: dict[str, Any]) -> requests.Response:
    creds = credentials_of(account)
    _refuse_unsafe_host(account, creds.api_base_url)
    headers = {"Authorization": f"Bearer {creds.access_token}"}
    try:
        return requests.post(
            f"{creds.api_base_url}/{action}",
            json=params,
            headers=headers,
            timeout=HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException:
        raise OneBotAPIError("network", "API unreachable", permanent=False) from None


def _refuse_unsafe_host(account: Account, api_base_url: str) -> None:
    # Checked again before every call: the address may have been set in the admin, or its
    # name may resolve elsewhere now than when the operator imported it.
    try:
        check_api_host(urlsplit(api_base_url).hostname or "")
    except CredentialsError:
        logger.warning("onebot api address refused account=%s", account.code)
        raise OneBotAPIError("address-refused", "API address not allowed", True) from None


def _envelope(response: requests.Response) -> dict[str, Any]:
    status = response.status_code
    if status != 200:
        permanent = status in PERMANENT_HTTP
        raise OneBotAPIError(f"http-{status}", "API answered an HTTP error", permanent)
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise OneBotAPIError("bad-response", "API answer is not a JSON object", False)
    return data


def call(account: Account, action: str, params: dict[str, Any]) -> Any:
    """Call one action and return its `data`; raise OneBotAPIError unless it succeeded."""
    envelope = _envelope(_post(account, action, params))
    retcode = envelope.get("retcode")
    if envelope.get("status") == "ok" and retcode == 0:
        return envelope.get("data")

    code = str(retcode) if isinstance(retcode, int) else "no-retcode"
    permanent = isinstance(retcode, int) and retcode in PERMANENT_RETCODES
    logger.info("onebot call failed account=%s action=%s retcode=%s", account.code, action, code)
    raise OneBotAPIError(code, f"{action} refused", permanent)


def send_segments(account: Account, conversation: Conversation, segments: list[Segment]) -> str:
    """Send a message as segments, never as a CQ string; return the platform's message id.

    Ids go out as strings: the JavaScript implementations read numbers as doubles and
    would round a group number past 2^53, and every implementation accepts the string.
    """
    message = [segment.to_wire() for segment in segments]
    if conversation.group_id:
        params = {"group_id": conversation.group_id, "message": message}
        data = call(account, "send_group_msg", params)
    else:
        data = call(
            account, "send_private_msg", {"user_id": conversation.user_id, "message": message}
        )
    return str(data.get("message_id", "")) if isinstance(data, dict) else ""


def login_info(account: Account) -> tuple[str, str]:
    """Return the bot's QQ number and nickname, to check an account's configuration."""
    data = call(account, "get_login_info", {})
    if not isinstance(data, dict):
        raise OneBotAPIError("bad-response", "get_login_info returned no data", False)
    return str(data.get("user_id", "")), str(data.get("nickname", ""))
