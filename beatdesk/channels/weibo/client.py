"""Calls to the Weibo API: OAuth2, the polled lists, comment and private replies, posts.

The access token travels in the `Authorization: OAuth2` header (or, for the fan-service
API, in the form body), never in a URL, so no proxy or library log line can carry it.
Errors come back as `{"request", "error_code", "error"}`; each is classified here once:
token errors need an operator, rate limits pass with time, the rest by their code.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beatdesk.channels.models import AccessToken, Account
from beatdesk.channels.weibo.credentials import credentials_of
from beatdesk.channels.weibo.schemas import PayloadError, Stream, id_of, load_json
from beatdesk.core import ratelimit

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10
# Expired, revoked or rejected tokens (21314-21319, 21327, 21332), failed authentication
# (21301) and a refused grant (21325): only a new authorisation helps.
TOKEN_ERRORS = {21301, 21314, 21315, 21316, 21317, 21319, 21325, 21327, 21332}
# IP, user and per-endpoint hourly limits, and "posting too often".
RATE_LIMIT_ERRORS = {10022, 10023, 10024, 20016}
# System-level troubles that a later try may not meet.
TEMPORARY_ERRORS = {10001, 10002, 10003, 10009, 10010, 10011}
# System-level codes about the request or the app itself, which a retry only repeats: no
# permission for the app (10005, 10014), missing or invalid parameters (10006, 10008,
# 10016, 10017: also a post without a link on the bound domain), an illegal request or
# user (10012, 10013), a body too long (10018), an unknown API or method (10020, 10021).
PERMANENT_SYSTEM_ERRORS = {
    10005,
    10006,
    10008,
    10012,
    10013,
    10014,
    10016,
    10017,
    10018,
    10020,
    10021,
}
# The app may not call this API at all: for posts, a person has to publish by hand.
NO_PERMISSION = 10014
# "Update success, while server slow now": the post was taken, its id is not known yet.
SLOW_SUCCESS = 20032
SHARE_PATH = "/2/statuses/share.json"
# The per-user budget of the older fixed table: 150 calls an hour across the whole app.
CALLS_PER_HOUR = ratelimit.Limit("weibo.calls", 150, timedelta(hours=1))


class WeiboAPIError(Exception):
    """The API refused a call or could not be reached; the flags say what can help."""

    def __init__(
        self, code: str, detail: str, *, permanent: bool, token_invalid: bool = False
    ) -> None:
        super().__init__(f"weibo error {code}")
        self.code = code
        self.detail = detail
        self.permanent = permanent
        self.token_invalid = token_invalid

    @property
    def rate_limited(self) -> bool:
        return self.code in {str(code) for code in RATE_LIMIT_ERRORS} or self.code == "budget"


def classify(error_code: int | None, http_status: int) -> WeiboAPIError:
    """Return the error for an API answer with this code (None: no readable code)."""
    if error_code is None:
        permanent = http_status in {400, 401, 403, 404}
        return WeiboAPIError(
            f"http-{http_status}", "API answered an HTTP error", permanent=permanent
        )
    code = str(error_code)
    if error_code in TOKEN_ERRORS:
        return WeiboAPIError(code, "token invalid", permanent=True, token_invalid=True)
    if error_code in RATE_LIMIT_ERRORS:
        return WeiboAPIError(code, "rate limited", permanent=False)
    # Unknown system-level (1xxxx) codes are worth another try; service-level (2xxxx)
    # codes describe the request itself, which a retry would only repeat.
    temporary = error_code in TEMPORARY_ERRORS or (
        10000 <= error_code < 20000 and error_code not in PERMANENT_SYSTEM_ERRORS
    )
    return WeiboAPIError(code, "API refused the call", permanent=not temporary)


def api_base() -> str:
    return str(settings.WEIBO_API_BASE_URL).rstrip("/")


def messages_base() -> str:
    return str(settings.WEIBO_MESSAGES_API_BASE_URL).rstrip("/")


def _error_code(data: object) -> int | None:
    if not isinstance(data, dict) or "error_code" not in data:
        return None
    value = data["error_code"]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _answer(response: requests.Response) -> bytes:
    """Return the body of a successful answer; raise the classified error otherwise."""
    try:
        data: object = load_json(response.content)
    except PayloadError:
        data = None
    code = _error_code(data)
    if response.status_code == 200 and code is None and data is not None:
        return response.content
    if response.status_code >= 500 and code is None:
        raise WeiboAPIError(f"http-{response.status_code}", "API failed", permanent=False)
    if code is None and response.status_code == 200:
        raise WeiboAPIError("bad-response", "API answer is not a JSON object", permanent=False)
    raise classify(code, response.status_code)


def _spend(account: Account) -> None:
    # Counted before the call: a call refused for the limit still counts at Weibo.
    if ratelimit.exceeded(CALLS_PER_HOUR, account.code):
        raise WeiboAPIError("budget", "hourly call budget used up", permanent=False)
    ratelimit.note(CALLS_PER_HOUR, account.code)


def _request(method: str, url: str, **kwargs: Any) -> requests.Response:
    try:
        return requests.request(
            method, url, timeout=HTTP_TIMEOUT_SECONDS, allow_redirects=False, **kwargs
        )
    except requests.RequestException:
        raise WeiboAPIError("network", "API unreachable", permanent=False) from None


# OAuth2.


@dataclass(frozen=True)
class Authorisation:
    """What an exchanged code gave: the Weibo user who authorised, and until when."""

    uid: str
    expires_at: datetime


def authorize_url(account: Account, state: str = "") -> str:
    """Return the address where the account's owner signs in and allows our app."""
    creds = credentials_of(account)
    query = {"client_id": creds.app_key, "redirect_uri": creds.redirect_uri}
    query |= {"response_type": "code"} | ({"state": state} if state else {})
    return f"{api_base()}/oauth2/authorize?{urlencode(query, quote_via=quote)}"


def _token_answer(account: Account, code: str) -> dict[str, Any]:
    creds = credentials_of(account)
    form = {
        "client_id": creds.app_key,
        "client_secret": creds.app_secret,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": creds.redirect_uri,
    }
    response = _request("POST", f"{api_base()}/oauth2/access_token", data=form)
    return load_json(_answer(response))


def exchange_code(account: Account, code: str, now: datetime | None = None) -> Authorisation:
    """Trade an authorisation code for a token and keep it, encrypted, with its expiry."""
    moment = now or timezone.now()
    data = _token_answer(account, code)
    token, expires_in = data.get("access_token"), data.get("expires_in")
    uid = id_of(data, "uid", "uid")
    if not isinstance(token, str) or not token or not uid:
        raise WeiboAPIError("bad-response", "token answer incomplete", permanent=True)
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0:
        raise WeiboAPIError("bad-response", "token answer has no lifetime", permanent=True)

    expires_at = moment + timedelta(seconds=expires_in)
    _keep_token(account, token, uid, moment, expires_at)
    logger.info("weibo account authorised account=%s expires_at=%s", account.code, expires_at)
    return Authorisation(uid, expires_at)


def _keep_token(
    account: Account, token: str, uid: str, moment: datetime, expires_at: datetime
) -> None:
    with transaction.atomic():
        AccessToken.objects.update_or_create(
            account=account,
            defaults={"token": token, "fetched_at": moment, "expires_at": expires_at},
        )
        # A new authorisation answers every flag about the old token.
        account.original_id = uid
        if account.needs_attention.startswith("weibo-token"):
            account.needs_attention = ""
        account.save(update_fields=["original_id", "needs_attention"])


def token_for(account: Account, now: datetime | None = None) -> str:
    """Return the account's token; raise WeiboAPIError if there is none or it expired."""
    moment = now or timezone.now()
    held = AccessToken.objects.filter(account=account).first()
    if held is None or not held.token:
        raise WeiboAPIError(
            "no-token", "account not authorised", permanent=True, token_invalid=True
        )
    if held.expires_at is not None and held.expires_at <= moment:
        raise WeiboAPIError("expired", "token expired", permanent=True, token_invalid=True)
    return str(held.token)


# Reading.


def fetch_page(account: Account, stream: Stream, since_id: str, max_id: str, count: int) -> bytes:
    """Return one page of a list, newest first: ids above since_id, at most max_id."""
    token = token_for(account)
    _spend(account)
    params = {"count": str(count)}
    params |= {"since_id": since_id} if since_id else {}
    params |= {"max_id": max_id} if max_id else {}
    response = _request(
        "GET",
        f"{api_base()}{stream.path}",
        params=params,
        headers={"Authorization": f"OAuth2 {token}"},
    )
    return _answer(response)


# Writing.


def _post_comment(account: Account, path: str, form: dict[str, str]) -> str:
    token = token_for(account)
    _spend(account)
    response = _request(
        "POST", f"{api_base()}{path}", data=form, headers={"Authorization": f"OAuth2 {token}"}
    )
    return id_of(load_json(_answer(response)))


def reply_to_comment(account: Account, cid: str, status_id: str, text: str, rip: str) -> str:
    """Answer a comment under its post; return the id of our new comment."""
    form = {"cid": cid, "id": status_id, "comment": text, "without_mention": "0"}
    form |= {"rip": rip} if rip else {}
    return _post_comment(account, "/2/comments/reply.json", form)


def comment_on_post(account: Account, status_id: str, text: str, rip: str) -> str:
    """Answer a post that mentions the account with a comment under it."""
    form = {"id": status_id, "comment": text} | ({"rip": rip} if rip else {})
    return _post_comment(account, "/2/comments/create.json", form)


@dataclass(frozen=True)
class SharedPost:
    """What Weibo made of a post: its id as text and the address where it shows."""

    post_id: str
    url: str


def share(account: Account, text: str, rip: str) -> SharedPost:
    """Publish a post through `statuses/share`; the text must already meet its rules."""
    token = token_for(account)
    _spend(account)
    form = {"status": text, "rip": rip}
    response = _request(
        "POST",
        f"{api_base()}{SHARE_PATH}",
        data=form,
        headers={"Authorization": f"OAuth2 {token}"},
    )
    try:
        post = load_json(_answer(response))
    except WeiboAPIError as error:
        if error.code == str(SLOW_SUCCESS):
            # Weibo took the post and says it will show in a minute or two, without its id.
            return SharedPost("", "")
        raise
    post_id = id_of(post)
    if not post_id:
        raise WeiboAPIError("bad-response", "share answer has no id", permanent=False)
    return SharedPost(post_id, f"https://m.weibo.cn/status/{post_id}")


def reply_privately(account: Account, receiver_id: str, text: str) -> None:
    """Send a private text through the fan-service reply API (verified accounts only)."""
    fans_token = credentials_of(account).fans_service_token
    if not fans_token:
        raise WeiboAPIError("no-fans-token", "no fan-service token", permanent=True)
    _spend(account)
    form = {
        "access_token": fans_token,
        "type": "text",
        "data": quote(json.dumps({"text": text}, ensure_ascii=False)),
        "receiver_id": receiver_id,
        "save_sender_box": "1",
    }
    _answer(_request("POST", f"{messages_base()}/2/messages/reply.json", data=form))
