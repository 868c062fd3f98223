"""The OneBot entry view: verify the signature, store the raw event, then acknowledge.

NapCat posts each event once and never retries, so the raw event is committed before we
answer and a failure after that point still answers 204: the minute sweep finishes what
the request could not. A repeated event creates nothing new and triggers no second reply.
The inbox step runs in a worker, which sends the automatic answer with send_msg; only a
110 answer, found by the emergency rules alone, rides in the quick operation at once.
"""

import hashlib
import hmac
import json
import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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
from beatdesk.channels.onebot.adapter import automatic_reply_operation, process_delivery
from beatdesk.channels.onebot.credentials import CredentialsError, credentials_of
from beatdesk.channels.onebot.schemas import (
    Event,
    MessageEvent,
    MetaEvent,
    NoticeEvent,
    PayloadError,
    SelfMessageEvent,
    clean_text,
    parse_event,
)
from beatdesk.channels.webhooks import raw_key, too_large

logger = logging.getLogger(__name__)


def signature_of(secret: str, body: bytes) -> str:
    """Return the X-Signature value OneBot sends: HMAC-SHA1 of the raw body, keyed by secret."""
    # The protocol fixes SHA-1 for this MAC; as an HMAC it is not weakened by SHA-1's collisions.
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()
    return f"sha1={digest}"


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    """Compare the header with our own MAC of the exact bytes, in constant time."""
    expected = signature_of(secret, body).encode("ascii")
    return hmac.compare_digest(expected, header.strip().lower().encode("utf-8", "replace"))


def _forbidden(account: Account, reason: str) -> HttpResponse:
    logger.warning("onebot event refused account=%s reason=%s", account.code, reason)
    return HttpResponse("forbidden", status=403, content_type="text/plain")


def _acknowledged() -> HttpResponse:
    return HttpResponse(status=204)


def _unreadable(account: Account, body: bytes, payload: str, error: PayloadError) -> HttpResponse:
    # The signature matched, so the event is authentic: it is kept for an operator.
    stored = store_delivery(account, raw_key(body), body, payload)
    if stored.is_new:
        mark_unparsable(stored.delivery, str(error))
    return HttpResponse("unreadable event", status=400, content_type="text/plain")


def _note_meta(account: Account, event: MetaEvent) -> None:
    if event.meta_event_type == "lifecycle":
        logger.info("onebot lifecycle account=%s sub_type=%s", account.code, event.sub_type)
    else:
        logger.debug("onebot meta event account=%s type=%s", account.code, event.meta_event_type)


def _quick_operation(account: Account, event: Event, reply: str) -> HttpResponse:
    if not reply or not isinstance(event, MessageEvent):
        return _acknowledged()
    operation = automatic_reply_operation(account, event.conversation.external_id, reply)
    body = json.dumps(operation, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _receive(account: Account, body: bytes) -> HttpResponse:
    payload = clean_text(body.decode("utf-8", errors="replace"))
    try:
        event = parse_event(payload)
    except PayloadError as error:
        return _unreadable(account, body, payload, error)
    if event.self_id != account.app_id:
        return _forbidden(account, "event for another bot")

    # Heartbeats come every few seconds and the bot's own echoes would loop: neither is
    # a resident's message, so neither is stored.
    if isinstance(event, MetaEvent):
        _note_meta(account, event)
        return _acknowledged()
    if isinstance(event, SelfMessageEvent):
        return _acknowledged()

    key = event.delivery_key if isinstance(event, MessageEvent | NoticeEvent) else raw_key(body)
    if fault_is_on(ACK_BEFORE_COMMIT):
        return answer_before_commit(account, key, body, payload, process_delivery, ("", 204))
    emergency = emergency_answer_for(event.text) if isinstance(event, MessageEvent) else ""
    stored = store_delivery(account, key, body, payload, emergency)
    if not stored.is_new:
        return _acknowledged()
    # Stored and committed: if the queue refuses the inbox step, the sweep does it.
    hand_to_worker(stored.delivery)
    return _quick_operation(account, event, emergency)


@csrf_exempt
@require_POST
def onebot_hook(request: HttpRequest, code: str) -> HttpResponse:
    """Receive one event a OneBot v11 implementation posts (its HTTP POST transport)."""
    account = get_object_or_404(Account, code=code, kind=ChannelKind.ONEBOT, is_active=True)
    if too_large(request):
        return HttpResponse("body too large", status=413, content_type="text/plain")
    try:
        creds = credentials_of(account)
    except CredentialsError:
        logger.error("onebot account has unusable credentials account=%s", account.code)
        return HttpResponse("account not configured", status=503, content_type="text/plain")

    if not signature_matches(creds.secret, request.body, request.headers.get("X-Signature", "")):
        return _forbidden(account, "missing or wrong signature")
    return _receive(account, request.body)
