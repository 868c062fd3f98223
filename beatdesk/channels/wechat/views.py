"""The WeChat entry view: verify, store the raw push, then answer within five seconds.

The raw push is committed before anything is acknowledged, so a resident's message is
never lost to our parser; a retry of the same push creates nothing new and gets the same
answer. The inbox step runs in a worker: the answer carries only what cannot wait, the
110 answer when the emergency rules find danger, and the welcome to a new follower.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from beatdesk.channels.deliveries import (
    ACK_BEFORE_COMMIT,
    Stored,
    answer_before_commit,
    emergency_answer_for,
    fault_is_on,
    hand_to_worker,
    mark_unparsable,
    store_delivery,
)
from beatdesk.channels.models import Account, ChannelKind, InboundDelivery, SecurityMode
from beatdesk.channels.webhooks import Refused, check_fresh, check_not_replayed, raw_key, too_large
from beatdesk.channels.wechat.adapter import process_delivery
from beatdesk.channels.wechat.credentials import (
    CredentialsError,
    WeChatCredentials,
    credentials_of,
)
from beatdesk.channels.wechat.schemas import (
    PayloadError,
    WeChatMessage,
    parse_envelope,
    parse_message,
    strip_illegal_characters,
)
from beatdesk.core.writelock import run_promptly
from beatdesk.inbox.actions import menu_reply, welcome_reply
from beatdesk.inbox.intake import Event, IncomingMessage

logger = logging.getLogger(__name__)

SUCCESS = "success"


class Undecryptable(Exception):
    """The push is authentic (its signature matched) but its ciphertext does not open."""


@dataclass(frozen=True)
class Push:
    """A verified push: its plaintext payload (cleaned) and whether it came encrypted."""

    payload: str
    encrypted: bool


def _forbidden(account: Account, reason: str) -> HttpResponse:
    logger.warning("wechat push refused account=%s reason=%s", account.code, reason)
    return HttpResponse("forbidden", status=403, content_type="text/plain")


def _check_signature(creds: WeChatCredentials, request: HttpRequest) -> None:
    query = request.GET
    try:
        check_signature(
            creds.token,
            query.get("signature", ""),
            query.get("timestamp", ""),
            query.get("nonce", ""),
        )
    except InvalidSignatureException:
        raise Refused("bad signature") from None


def _decrypt(account: Account, creds: WeChatCredentials, request: HttpRequest, body: str) -> str:
    try:
        envelope = parse_envelope(body)
    except PayloadError:
        raise Refused("envelope unreadable") from None
    crypto = WeChatCrypto(creds.token, creds.encoding_aes_key, account.app_id)
    query = request.GET
    try:
        plaintext: str = crypto.decrypt_message(
            {"Encrypt": envelope.encrypt},
            query.get("msg_signature", ""),
            query.get("timestamp", ""),
            query.get("nonce", ""),
        )
    except InvalidSignatureException:
        raise Refused("bad msg_signature") from None
    except Exception as error:
        # wechatpy raises anything from a padding error to InvalidAppIdException here.
        raise Undecryptable(type(error).__name__) from None
    return plaintext


def _open_push(account: Account, creds: WeChatCredentials, request: HttpRequest) -> Push:
    """Return the verified plaintext; raise Refused for anything not provably from WeChat."""
    _check_signature(creds, request)
    timestamp = check_fresh(request)
    check_not_replayed(account, request.GET.get("nonce", ""), timestamp, request.body)

    body = strip_illegal_characters(request.body.decode("utf-8", errors="replace"))
    if request.GET.get("encrypt_type", "raw") == "aes":
        if not creds.encoding_aes_key:
            raise Refused("encrypted push but no EncodingAESKey configured")
        return Push(strip_illegal_characters(_decrypt(account, creds, request, body)), True)

    # Plain mode signs only the query, not the body, so it needs an administrator's consent.
    if account.security_mode != SecurityMode.PLAIN or account.plain_mode_accepted_by_id is None:
        raise Refused("plain push to an account that requires encryption")
    if not _is_utf8(request.body):
        # WeChat sends UTF-8 only; guessing at other bytes could turn them into a message.
        raise Undecryptable("body is not UTF-8")
    return Push(body, False)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _render_reply(
    account: Account,
    creds: WeChatCredentials,
    request: HttpRequest,
    push: Push,
    openid: str,
    text: str,
) -> HttpResponse:
    if not text:
        return HttpResponse(SUCCESS, content_type="text/plain")

    # wechatpy wraps text in CDATA without escaping a closing "]]>" inside it.
    safe_text = text.replace("]]>", "]]]]><![CDATA[>")
    xml = TextReply(source=account.original_id, target=openid, content=safe_text).render()
    if push.encrypted:
        crypto = WeChatCrypto(creds.token, creds.encoding_aes_key, account.app_id)
        xml = crypto.encrypt_message(xml, request.GET.get("nonce", ""))
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


@dataclass(frozen=True)
class Received:
    """A push verified and committed, ready to be handed on and answered."""

    push: Push
    message: WeChatMessage
    stored: Stored


def _receive(account: Account, creds: WeChatCredentials, request: HttpRequest) -> HttpResponse:
    # The nonce and the push are committed together: on SQLite every commit waits for the
    # one write lock and for the disk, and the acknowledgement waits for both.
    try:
        outcome = run_promptly(lambda: _open_and_store(account, creds, request))
    except Refused as refusal:
        return _forbidden(account, str(refusal))
    if isinstance(outcome, HttpResponse):
        return outcome

    # Queued only once committed, so the worker never looks for a row it cannot see yet.
    if outcome.stored.is_new:
        hand_to_worker(outcome.stored.delivery)
    incoming = outcome.message.to_incoming()
    reply = _passive_reply(account, incoming, outcome.stored.delivery)
    return _render_reply(account, creds, request, outcome.push, outcome.message.from_user, reply)


def _open_and_store(
    account: Account, creds: WeChatCredentials, request: HttpRequest
) -> Received | HttpResponse:
    """Verify, remember the nonce and store the push in one transaction; raise Refused."""
    with transaction.atomic():
        push = _open_or_keep_raw(account, creds, request)
        try:
            message = parse_message(push.payload)
        except PayloadError as error:
            stored = store_delivery(account, raw_key(request.body), request.body, push.payload)
            if stored.is_new:
                mark_unparsable(stored.delivery, str(error))
            return HttpResponse(SUCCESS, content_type="text/plain")

        if fault_is_on(ACK_BEFORE_COMMIT):
            acknowledgement = (SUCCESS, 200)
            return answer_before_commit(
                account,
                message.delivery_key,
                request.body,
                push.payload,
                process_delivery,
                acknowledgement,
            )
        emergency = emergency_answer_for(message.to_incoming().text)
        key = message.delivery_key
        stored = store_delivery(account, key, request.body, push.payload, emergency)
    return Received(push, message, stored)


def _open_or_keep_raw(account: Account, creds: WeChatCredentials, request: HttpRequest) -> Push:
    try:
        return _open_push(account, creds, request)
    except Undecryptable as error:
        # The push is authentic, so it is kept raw for an operator rather than refused.
        logger.warning("wechat push undecryptable account=%s error=%s", account.code, error)
        return Push("", True)


def _passive_reply(account: Account, incoming: IncomingMessage, delivery: InboundDelivery) -> str:
    """Return what the acknowledgement carries: a 110 answer, a welcome, a menu's answer.

    Everything else is sent by the worker as a customer-service message. A follow or a
    menu click allows those for one minute only, so their answers travel in the reply;
    a click costs one read of the unit's knowledge layers, which are cached per process.
    """
    if incoming.event == Event.SUBSCRIBE:
        return welcome_reply()
    if incoming.event == Event.CLICK:
        return menu_reply(account, incoming)
    # A retry finds the stored row and is answered the same way as the first request.
    return delivery.emergency_answer


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_hook(request: HttpRequest, code: str) -> HttpResponse:
    """Answer WeChat's URL verification (GET) and its pushes (POST)."""
    account = get_object_or_404(Account, code=code, kind=ChannelKind.WECHAT, is_active=True)
    try:
        creds = credentials_of(account)
    except CredentialsError:
        logger.error("wechat account has unusable credentials account=%s", account.code)
        return HttpResponse("account not configured", status=503, content_type="text/plain")

    if request.method == "GET":
        return _verify_url(account, creds, request)
    if too_large(request):
        return HttpResponse("body too large", status=413, content_type="text/plain")
    return _receive(account, creds, request)


def _verify_url(account: Account, creds: WeChatCredentials, request: HttpRequest) -> HttpResponse:
    try:
        _check_signature(creds, request)
    except Refused as refusal:
        return _forbidden(account, str(refusal))
    return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
