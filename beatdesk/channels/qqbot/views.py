"""The QQ bot entry view: verify the Ed25519 signature, store the raw event, then acknowledge.

The platform signs `X-Signature-Timestamp` followed by the exact body with a key pair
seeded from the bot's secret, and wants an answer within three seconds: `{"op": 12}` for
an event, the signed `plain_token` for the address check (op 13). The raw event is
committed before we answer; a failure after that point still acknowledges, and the
minute sweep finishes what the request could not. The inbox step runs in a worker; a 110
answer, found by the emergency rules alone, goes to the outbox before we acknowledge.
"""

import hashlib
import logging
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
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
from beatdesk.channels.qqbot.adapter import process_delivery, queue_emergency_answer
from beatdesk.channels.qqbot.credentials import CredentialsError, credentials_of
from beatdesk.channels.qqbot.schemas import (
    EVENT_TS,
    OP_ACK,
    OP_DISPATCH,
    OP_VALIDATION,
    Envelope,
    MessageEvent,
    PayloadError,
    clean_text,
    parse_envelope,
    parse_event,
    parse_validation,
)
from beatdesk.channels.webhooks import Refused, check_not_replayed, raw_key, too_large

logger = logging.getLogger(__name__)

SEED_SIZE = 32
SIGNATURE_SIZE = 64


def signing_key(secret: str) -> Ed25519PrivateKey:
    """Derive the bot's key as the platform does: the secret, repeated, cut to a 32-byte seed."""
    seed = secret.encode("utf-8")
    if not seed:
        raise CredentialsError("the account has no AppSecret")
    while len(seed) < SEED_SIZE:
        seed += seed
    return Ed25519PrivateKey.from_private_bytes(seed[:SEED_SIZE])


def sign(secret: str, message: bytes) -> str:
    """Return the hex Ed25519 signature of message, as the validation answer carries it."""
    return signing_key(secret).sign(message).hex()


def signature_matches(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Verify the header against timestamp + body with the public half of the bot's key."""
    try:
        signature = bytes.fromhex(header.strip())
    except ValueError:
        return False
    # The platform's own check also refuses a signature whose top three bits are set.
    if len(signature) != SIGNATURE_SIZE or signature[63] & 224:
        return False
    try:
        signing_key(secret).public_key().verify(signature, timestamp.encode("ascii") + body)
    except InvalidSignature:
        return False
    return True


def _forbidden(account: Account, reason: str) -> HttpResponse:
    logger.warning("qqbot request refused account=%s reason=%s", account.code, reason)
    return HttpResponse("forbidden", status=403, content_type="text/plain")


def _acknowledged() -> HttpResponse:
    return JsonResponse({"op": OP_ACK})


def _check_signed(secret: str, request: HttpRequest) -> str:
    """Return the verified timestamp; raise Refused for a missing, stale or wrong signature."""
    timestamp = request.headers.get("X-Signature-Timestamp", "")
    header = request.headers.get("X-Signature-Ed25519", "")
    if not header or not EVENT_TS.fullmatch(timestamp):
        raise Refused("signature or timestamp missing")
    if abs(time.time() - int(timestamp)) > settings.WEBHOOK_TIMESTAMP_WINDOW:
        raise Refused("stale timestamp")
    if not signature_matches(secret, timestamp, request.body, header):
        raise Refused("wrong signature")
    return timestamp


def _check_not_replayed(account: Account, event_id: str, timestamp: str, body: bytes) -> None:
    # A repeated push carries the same bytes and is deduplicated when stored; the same
    # event id and timestamp with other bytes is someone else's body under a real header.
    nonce = hashlib.sha256(event_id.encode("utf-8")).hexdigest()
    check_not_replayed(account, nonce, int(timestamp), body, name="event id")


def _validation_answer(account: Account, secret: str, envelope: Envelope) -> HttpResponse:
    try:
        validation = parse_validation(envelope)
    except PayloadError:
        return HttpResponse("unreadable validation", status=400, content_type="text/plain")
    logger.info("qqbot callback address validated account=%s", account.code)
    signature = sign(secret, validation.signed_text)
    return JsonResponse({"plain_token": validation.plain_token, "signature": signature})


def _unsigned(account: Account, secret: str, body: bytes) -> HttpResponse:
    """Answer an unsigned request: only the address check may come without a signature.

    Its fields are restricted to letters and digits, so answering it can never produce a
    signature that would pass for an event's.
    """
    try:
        envelope = parse_envelope(clean_text(body.decode("utf-8", errors="replace")))
    except PayloadError:
        return _forbidden(account, "unsigned and unreadable")
    if envelope.op != OP_VALIDATION:
        return _forbidden(account, "signature or timestamp missing")
    return _validation_answer(account, secret, envelope)


def _unreadable(account: Account, body: bytes, payload: str, error: PayloadError) -> HttpResponse:
    # The signature matched, so the body is authentic: it is kept for an operator.
    stored = store_delivery(account, raw_key(body), body, payload)
    if stored.is_new:
        mark_unparsable(stored.delivery, str(error))
    return HttpResponse("unreadable event", status=400, content_type="text/plain")


def _dispatch(account: Account, envelope: Envelope, body: bytes, payload: str) -> HttpResponse:
    try:
        event = parse_event(envelope)
    except PayloadError as error:
        return _unreadable(account, body, payload, error)
    key = event.delivery_key or raw_key(body)
    if fault_is_on(ACK_BEFORE_COMMIT):
        acknowledgement = (f'{{"op": {OP_ACK}}}', 200)
        return answer_before_commit(
            account, key, body, payload, process_delivery, acknowledgement, "application/json"
        )
    emergency = emergency_answer_for(event.text) if isinstance(event, MessageEvent) else ""
    stored = store_delivery(account, key, body, payload, emergency)
    if not stored.is_new:
        return _acknowledged()
    # The acknowledgement cannot carry text: the 110 answer goes to the outbox at once.
    if isinstance(event, MessageEvent) and emergency:
        queue_emergency_answer(stored.delivery, event, emergency)
    # Stored and committed: if the queue refuses the inbox step, the sweep does it.
    hand_to_worker(stored.delivery)
    return _acknowledged()


def _receive(account: Account, secret: str, timestamp: str, body: bytes) -> HttpResponse:
    payload = clean_text(body.decode("utf-8", errors="replace"))
    try:
        envelope = parse_envelope(payload)
    except PayloadError as error:
        return _unreadable(account, body, payload, error)
    if envelope.op == OP_VALIDATION:
        return _validation_answer(account, secret, envelope)
    if envelope.op != OP_DISPATCH:
        logger.info("qqbot opcode ignored account=%s op=%s", account.code, envelope.op)
        return _acknowledged()

    try:
        _check_not_replayed(account, envelope.event_id or raw_key(body), timestamp, body)
    except Refused as refusal:
        return _forbidden(account, str(refusal))
    return _dispatch(account, envelope, body, payload)


@csrf_exempt
@require_POST
def qqbot_hook(request: HttpRequest, code: str) -> HttpResponse:
    """Receive one webhook request of the official QQ bot platform."""
    account = get_object_or_404(Account, code=code, kind=ChannelKind.QQBOT, is_active=True)
    if too_large(request):
        return HttpResponse("body too large", status=413, content_type="text/plain")
    try:
        creds = credentials_of(account)
    except CredentialsError:
        logger.error("qqbot account has unusable credentials account=%s", account.code)
        return HttpResponse("account not configured", status=503, content_type="text/plain")
    if request.headers.get("X-Bot-Appid", creds.app_id) != creds.app_id:
        return _forbidden(account, "request for another bot")

    signed = "X-Signature-Ed25519" in request.headers or "X-Signature-Timestamp" in request.headers
    if not signed:
        return _unsigned(account, creds.app_secret, request.body)
    try:
        timestamp = _check_signed(creds.app_secret, request)
    except Refused as refusal:
        return _forbidden(account, str(refusal))
    return _receive(account, creds.app_secret, timestamp, request.body)
