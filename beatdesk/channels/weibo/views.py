"""The fan-service entry view: verify the signature, store the raw push, then answer.

Weibo signs the verification GET and every push alike: `signature` is the SHA-1 of the
app secret, `timestamp` and `nonce`, sorted and joined, on the query string. The body is
not signed, so a push is also refused when its timestamp is stale or its nonce comes back
with another body. There is no unsigned mode. An answer within five seconds is expected;
an empty body tells Weibo that nothing follows and nothing is to be retried. The inbox
step runs in a worker, which sends the automatic answer through the reply API; only a
110 answer, found by the emergency rules alone, rides in the passive reply at once.
"""

import hashlib
import hmac
import json
import logging
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from beatdesk.channels.deliveries import (
    ACK_BEFORE_COMMIT,
    answer_before_commit,
    emergency_answer_for,
    fault_is_on,
    hand_to_worker,
    mark_unparsable,
    store_delivery,
)
from beatdesk.channels.models import Account, ChannelKind
from beatdesk.channels.webhooks import Refused, check_fresh, check_not_replayed, raw_key, too_large
from beatdesk.channels.weibo.adapter import process_delivery
from beatdesk.channels.weibo.credentials import CredentialsError, credentials_of
from beatdesk.channels.weibo.schemas import PayloadError, Push, clean_text, parse_push

logger = logging.getLogger(__name__)


def signature_of(app_secret: str, timestamp: str, nonce: str) -> str:
    """Return the signature Weibo sends: SHA-1 of the three values sorted and joined."""
    # SHA-1 is the platform's choice; the secret inside the digest is what authenticates.
    joined = "".join(sorted([app_secret, timestamp, nonce]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()  # noqa: S324


def _check_signature(app_secret: str, request: HttpRequest) -> None:
    query = request.GET
    expected = signature_of(app_secret, query.get("timestamp", ""), query.get("nonce", ""))
    given = query.get("signature", "").strip().lower()
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        raise Refused("missing or wrong signature")


def _forbidden(account: Account, reason: str) -> HttpResponse:
    logger.warning("weibo push refused account=%s reason=%s", account.code, reason)
    return HttpResponse("forbidden", status=403, content_type="text/plain")


def _empty() -> HttpResponse:
    return HttpResponse("", content_type="text/plain")


def passive_reply(push: Push, text: str) -> HttpResponse:
    """Return the JSON answer that carries a text back to the sender at once."""
    body = {
        "result": True,
        "receiver_id": int(push.sender_id),
        "sender_id": int(push.receiver_id),
        "type": "text",
        "data": quote(json.dumps({"text": text}, ensure_ascii=False)),
    }
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(content, content_type="application/json; charset=utf-8")


def _receive(account: Account, body: bytes) -> HttpResponse:
    payload = clean_text(body.decode("utf-8", errors="replace"))
    try:
        push = parse_push(payload)
    except PayloadError as error:
        # The signature matched, so the push is authentic: it is kept for an operator.
        stored = store_delivery(account, raw_key(body), body, payload)
        if stored.is_new:
            mark_unparsable(stored.delivery, str(error))
        return _empty()
    if account.original_id and push.receiver_id != account.original_id:
        return _forbidden(account, "push for another account")

    if fault_is_on(ACK_BEFORE_COMMIT):
        return answer_before_commit(
            account, push.delivery_key, body, payload, process_delivery, ("", 200)
        )
    emergency = emergency_answer_for(push.to_incoming().text) if push.is_known else ""
    stored = store_delivery(account, push.delivery_key, body, payload, emergency)
    if stored.is_new:
        # Stored and committed: if the queue refuses the inbox step, the sweep does it.
        hand_to_worker(stored.delivery)
    # A retry finds the stored row and is answered the same way as the first request.
    answer = stored.delivery.emergency_answer
    return passive_reply(push, answer) if answer else _empty()


@csrf_exempt
@require_http_methods(["GET", "POST"])
def weibo_hook(request: HttpRequest, code: str) -> HttpResponse:
    """Answer the fan-service URL verification (GET) and its pushes (POST)."""
    account = get_object_or_404(Account, code=code, kind=ChannelKind.WEIBO, is_active=True)
    try:
        creds = credentials_of(account)
    except CredentialsError:
        logger.error("weibo account has unusable credentials account=%s", account.code)
        return HttpResponse("account not configured", status=503, content_type="text/plain")
    if request.method == "POST" and too_large(request):
        return HttpResponse("body too large", status=413, content_type="text/plain")

    try:
        _check_signature(creds.app_secret, request)
        if request.method == "GET":
            return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
        timestamp = check_fresh(request)
        check_not_replayed(account, request.GET.get("nonce", ""), timestamp, request.body)
    except Refused as refusal:
        return _forbidden(account, str(refusal))
    return _receive(account, request.body)
