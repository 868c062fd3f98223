"""Every state change of the inbox: transactional, audited, and the only way in."""

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beatdesk.audit.actions import DetailValue, record
from beatdesk.channels import outbox
from beatdesk.channels.models import Account, InboundDelivery
from beatdesk.checker.actions import do_record_check
from beatdesk.checker.core import CheckResult
from beatdesk.checker.lexicons import check_at
from beatdesk.inbox.access import (
    cases_for,
    check_may_decide,
    check_may_transfer,
    check_may_work_on,
)
from beatdesk.inbox.answering import answer_or_propose, is_knowledge_key, menu_click_answer
from beatdesk.inbox.channel_alerts import queue_emergency_alerts
from beatdesk.inbox.classification import UNCLASSIFIED, Analysis, emergency_reply
from beatdesk.inbox.deadlines import ExtensionRefused
from beatdesk.inbox.duplicates import propose_after_commit
from beatdesk.inbox.errors import InboxError as InboxError
from beatdesk.inbox.intake import Event, IncomingMessage
from beatdesk.inbox.models import (
    OPEN_STATUSES,
    CannedAnswer,
    Case,
    CaseStatus,
    CaseTransfer,
    CaseType,
    Direction,
    Message,
    MessageKind,
    Priority,
    RatingChannel,
    Resident,
    TransferStatus,
    TypeSource,
)
from beatdesk.inbox.ratings import (
    ChatRating,
    RatingRefused,
    do_rate_case,
    rating_by_reply,
    thanks_for_rating,
    with_invitation,
)
from beatdesk.inbox.reopening import earlier_case, is_thanks_only, may_reopen, recently_closed
from beatdesk.inbox.reporters import is_for_one_resident, merged_onward, merged_reporters
from beatdesk.inbox.routing import clues_of, place_match, routable
from beatdesk.inbox.schedule import check_extension, end_pause, schedule_deadline, start_pause
from beatdesk.inbox.sealing import seal_if_anonymous
from beatdesk.inbox.triage import analyse_message
from beatdesk.inbox.verification import check_answer, check_resolving
from beatdesk.units.access import units_for
from beatdesk.units.areas import AreaMatch
from beatdesk.units.duty import may_take_cases, on_duty, take_turn
from beatdesk.units.models import Role, Unit, User

logger = logging.getLogger(__name__)

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class AnswerHeldBack(InboxError):
    """The checker found something in an answer: it is blocked, or needs confirming.

    `result` carries the findings so the answer box can show them; nothing was sent.
    """

    def __init__(self, message: str, result: CheckResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Receipt:
    """What receiving a message did, and the automatic answer owed to the resident now."""

    message: Message
    case: Case | None
    case_opened: bool
    automatic_reply: str


def _new_tracking_code() -> str:
    while True:
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
        if not Case.objects.filter(tracking_code=code).exists():
            return code


def _resident_for(account: Account, external_id: str) -> Resident:
    """Return the resident, locked, so two messages at once cannot open two cases."""
    # A new row is locked by the insert itself; a concurrent insert of the same resident
    # waits on the unique key and then finds this row through the same locking read.
    residents = Resident.objects.select_for_update(of=("self",))
    resident, _created = residents.get_or_create(account=account, external_id=external_id)
    # The caller's account, with its unit already read, saves fetching it again.
    resident.account = account
    return resident


def _open_or_join_case(resident: Resident, incoming: IncomingMessage) -> tuple[Case, bool]:
    case = _open_case_of(resident)
    if case is None:
        case = _case_written_again(resident, incoming)
    if case is not None:
        case.last_message_at = incoming.sent_at
        case.save(update_fields=["last_message_at"])
        return case, False

    account = resident.account
    earlier = earlier_case(resident)
    case = Case.objects.create(
        account=account,
        resident=resident,
        unit=account.unit,
        tracking_code=_new_tracking_code(),
        last_message_at=incoming.sent_at,
        follows=earlier,
    )
    record(
        "case.opened",
        case,
        unit=case.unit,
        account=account.pk,
        follows=earlier.pk if earlier else None,
    )
    return case, True


def _case_written_again(resident: Resident, incoming: IncomingMessage) -> Case | None:
    """Return the closed case a new message belongs to, reopened unless it only thanks us.

    A case merged into another sends its resident's messages on to the kept case while
    that one is open; once it is closed too, the resident's next message opens a new case.
    """
    case = recently_closed(resident) or _recently_auto_answered(resident)
    if case is None:
        return None
    if case.merged_into_id is not None:
        # Merges chain: the case that holds the matter now is the last one onward.
        kept = merged_onward(case)[-1]
        return kept if kept.is_open else None
    if is_thanks_only(incoming.text):
        # Kept on the case for the officer to see; a thank-you is no reason to reopen.
        return case
    _reopen(case, None, via="message")
    return case


def _reopen(case: Case, actor: User | None, via: str) -> None:
    """Put a closed case back in the officers' hands with a fresh deadline; audited."""
    _set_status(case, actor, CaseStatus.REOPENED)
    case.reopened_at = case.status_changed_at
    case.save(update_fields=["reopened_at"])
    record("case.reopened", case, actor=actor, unit=case.unit, via=via)
    logger.info("case reopened case=%s via=%s", case.pk, via)
    schedule_deadline(case)


def do_reopen_case_by_resident(case: Case) -> Case:
    """Reopen a case its resident says is not settled (the tracking page's button)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not may_reopen(case):
            raise InboxError(_("This matter can no longer be reopened. Please write to us again."))
        if _has_other_open_case(case):
            raise InboxError(_("You already have an open matter with us; write there."))
        _reopen(case, None, via="portal")
    return case


# How long after an automatic answer the resident's next message reopens the same case.
AUTO_ANSWER_FOLLOW_UP = timedelta(hours=48)


def _recently_auto_answered(resident: Resident) -> Case | None:
    since = timezone.now() - AUTO_ANSWER_FOLLOW_UP
    return (
        Case.objects.select_related("unit", "account")
        .filter(resident=resident, status=CaseStatus.RESOLVED, auto_answered_at__gte=since)
        .order_by("-auto_answered_at")
        .first()
    )


def _apply_event(resident: Resident, incoming: IncomingMessage) -> None:
    if incoming.event in {Event.SUBSCRIBE, Event.UNSUBSCRIBE}:
        resident.is_following = incoming.event == Event.SUBSCRIBE
        resident.save(update_fields=["is_following"])


def _automatic_reply(receipt_case: Case | None, opened: bool, incoming: IncomingMessage) -> str:
    """Return the plain, warm answer a resident gets at once, in the platform's language."""
    if incoming.event == Event.SUBSCRIBE:
        return welcome_reply()
    with translation.override(settings.LANGUAGE_CODE):
        if receipt_case is not None and opened:
            return _(
                "We have received your message and an officer will answer you here. "
                "Your tracking code is %(code)s; you can also follow it at %(url)s. "
                "In an emergency, call 110 now."
            ) % {"code": receipt_case.tracking_code, "url": tracking_url()}
    return ""


def menu_reply(account: Account, incoming: IncomingMessage) -> str:
    """Return the answer to a click on a button our menu made, from the knowledge it was
    built from; other keys (menus made elsewhere) get nothing."""
    key = incoming.attributes.get("EventKey", "")
    if incoming.event != Event.CLICK or not is_knowledge_key(key):
        return ""
    return menu_click_answer(key, account.unit, account.kind, tracking_url())


def welcome_reply() -> str:
    """Return the welcome a new follower gets, in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Thank you for following us. Write to us here at any time and an officer "
            "will answer. In an emergency, call 110 now."
        )


def tracking_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + "/track/"


def do_receive_message(
    account: Account, delivery: InboundDelivery | None, incoming: IncomingMessage
) -> Receipt:
    """Store a resident's message, open or join their case, and say what to answer now."""
    # Called inside the delivery's own transaction: a savepoint would cost two round trips
    # and protect nothing, since a failure here must undo the whole step anyway.
    with transaction.atomic(savepoint=False):
        resident = _resident_for(account, incoming.external_id)
        resident.last_seen_at = incoming.sent_at
        resident.save(update_fields=["last_seen_at"])
        _apply_event(resident, incoming)

        rating = rating_by_reply(resident, incoming) if incoming.opens_case else None
        if rating is not None:
            return _receive_rating(rating, delivery, incoming)

        case, opened = (None, False)
        if incoming.opens_case:
            case, opened = _open_or_join_case(resident, incoming)
            seal_if_anonymous(case, incoming)

        message = Message.objects.create(
            resident=resident,
            case=case,
            direction=Direction.INBOUND,
            kind=incoming.kind,
            text=incoming.text,
            attributes=incoming.attributes,
            sent_at=incoming.sent_at,
            delivery=delivery,
        )
        record("message.received", message, unit=account.unit, case=case.pk if case else None)
        _route_by_place(case or _open_case_of(resident), message)
        _check_inbound(message, account)
        analysis = _analyse(message)
        changed = (
            case is not None and analysis is not None and _apply_analysis(case, analysis, opened)
        )
        if case is not None and not opened and case.status == CaseStatus.WAITING:
            # The resident answered: the clock runs again and the case is back with us.
            _set_status(case, None, CaseStatus.IN_PROGRESS)
        elif case is not None and (opened or changed):
            schedule_deadline(case)

        reply = _automatic_reply(case, opened, incoming) or menu_reply(account, incoming)
        danger = ""
        if analysis is not None and analysis.emergency.is_emergency:
            # Danger comes first: the resident is told to call 110 before anything else.
            danger = emergency_reply(analysis.emergency)
        elif case is not None and opened and analysis is not None:
            known = _answer_from_knowledge(case, message, analysis)
            reply = "\n\n".join(part for part in (known, reply) if part)
        # The webhook's acknowledgement may already have carried the 110 answer; it is
        # kept in the conversation but never sent a second time.
        answered = delivery.emergency_answer if delivery is not None else ""
        told = "\n".join(part for part in (answered or danger, reply) if part)
        if told:
            _store_automatic_reply(resident, case, told)
        if case is not None and opened:
            _assign_in_turn(case)
        if case is not None and case.is_open:
            propose_after_commit(case, message)
    owed = reply if answered else told
    return Receipt(message, case, opened, owed)


def _receive_rating(
    rating: ChatRating, delivery: InboundDelivery | None, incoming: IncomingMessage
) -> Receipt:
    """Keep a chat rating on the case it rates, and thank the resident; nothing reopens."""
    case = rating.case
    message = Message.objects.create(
        resident=case.resident,
        case=case,
        direction=Direction.INBOUND,
        kind=incoming.kind,
        text=incoming.text,
        attributes=incoming.attributes,
        sent_at=incoming.sent_at,
        delivery=delivery,
    )
    record("message.received", message, unit=case.unit, case=case.pk, rating=True)
    try:
        do_rate_case(case, rating.score, RatingChannel.CHAT, message)
    except RatingRefused:
        # The window closed between finding the case and locking it: the digit stays
        # on the case for the officer, and nothing more is said.
        return Receipt(message, case, False, "")
    reply = thanks_for_rating()
    _store_automatic_reply(case.resident, case, reply)
    return Receipt(message, case, False, reply)


# Types whose case must be handled by an officer, however well a question in it matches.
PERSON_MATTERS = {
    CaseType.HELP,
    CaseType.TIP,
    CaseType.COMPLAINT,
    CaseType.DISPUTE,
    CaseType.SUGGESTION,
}


# Words of a report inside a question ("what time do you open? I want to report ..."): the
# model may still call such a message a consultation, and the question part may match well.
REPORT_CUES = re.compile(
    r"报案|报警|举报|线索|骚扰|威胁|恐吓|敲诈|勒索|被(偷|盗|骗|抢|打|砍)|偷了|抢了|骗了"
    r"|贩毒|吸毒|卖淫|嫖娼|赌博|打人|砍人|家暴|失踪|走失|找不到(孩子|老人|人)"
)


def _answer_from_knowledge(case: Case, message: Message, analysis: Analysis) -> str:
    """Answer a common question at once and resolve the case; else propose answers.

    Only questions are answered by a machine: a tip, a call for help, a complaint, a
    dispute or a suggestion that happens to mention office hours is a matter for a person
    and stays open with the answers proposed. Emergencies never reach this point.
    """
    needs_person = analysis.classification.case_type in PERSON_MATTERS or bool(
        REPORT_CUES.search(message.text)
    )
    try:
        entry, answer, proposed = answer_or_propose(
            message.text, case.unit, case.account.kind, tracking_url(), needs_person=needs_person
        )
    except Exception:
        # The knowledge base must never cost the resident's message or its reply.
        logger.exception("knowledge answer failed case=%s", case.pk)
        return ""
    if entry is None:
        case.proposals = proposed
        case.save(update_fields=["proposals"])
        return ""

    case.auto_answered_at, case.auto_answer_entry = timezone.now(), entry.id[:64]
    case.save(update_fields=["auto_answered_at", "auto_answer_entry"])
    record("case.auto_answered", case, unit=case.unit, entry=entry.id[:64])
    _set_status(case, None, CaseStatus.RESOLVED)
    return answer


def _analyse(message: Message) -> Analysis | None:
    # A classifier failure must never cost the resident's message; the rules-only path in
    # `analyse_message` runs without a model, so failing here would be a bug, logged.
    if not message.text:
        return None
    try:
        return analyse_message(message.text, str(message.attributes.get("menu_key", "")))
    except Exception:
        logger.exception("classification failed message=%s", message.pk)
        return None


def _apply_analysis(case: Case, analysis: Analysis, opened: bool) -> bool:
    """Raise an emergency and set the automatic type; return whether anything changed."""
    changed = False
    emergency = analysis.emergency
    if emergency.is_emergency and case.priority < Priority.EMERGENCY:
        case.priority = Priority.EMERGENCY
        case.emergency_reason = emergency.reason.value if emergency.reason else "unknown"
        case.emergency_acknowledged_by, case.emergency_acknowledged_at = None, None
        case.save(
            update_fields=[
                "priority",
                "emergency_reason",
                "emergency_acknowledged_by",
                "emergency_acknowledged_at",
            ]
        )
        record("case.emergency", case, unit=case.unit, reason=case.emergency_reason)
        _alert_duty_officer(case)
        queue_emergency_alerts(case)
        changed = True

    # The first message decides the type; an officer's choice is never overwritten.
    typed = analysis.classification
    if not (opened or case.case_type == CaseType.UNCLASSIFIED) or typed.case_type == UNCLASSIFIED:
        return changed
    if case.type_source == TypeSource.OFFICER:
        return changed
    case.case_type = typed.case_type
    case.type_confidence = round(typed.confidence, 3)
    case.type_source = TypeSource.MENU if typed.source == "menu" else TypeSource.AUTOMATIC
    case.handover_department = typed.department.department.value if typed.department else ""
    case.save(update_fields=["case_type", "type_confidence", "type_source", "handover_department"])
    record(
        "case.classified",
        case,
        unit=case.unit,
        type=case.case_type,
        confidence=round(typed.confidence * 100),
    )
    return True


def do_set_case_type(case: Case, actor: User, case_type: str) -> Case:
    """Set a case's type as an officer decided it; the next training run learns from it."""
    _check_worker(actor, case)
    if case_type not in CaseType.values or case_type == CaseType.UNCLASSIFIED:
        raise InboxError(_("Choose a type from the list."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        previous = case.case_type
        case.case_type, case.type_source, case.type_confidence = (
            case_type,
            TypeSource.OFFICER,
            None,
        )
        if case_type != CaseType.NOT_POLICE:
            case.handover_department = ""
        case.save(
            update_fields=["case_type", "type_source", "type_confidence", "handover_department"]
        )
        record("case.type_set", case, actor=actor, unit=case.unit, old=previous, new=case_type)
        schedule_deadline(case)
    return case


def do_extend_deadline(case: Case, actor: User, to_working_days: int, reason: str) -> Case:
    """Give the case a longer deadline, counted from arrival, within its type's limit."""
    _check_worker(actor, case)
    reason = " ".join(reason.split())[:300]
    try:
        check_extension(case, to_working_days, reason)
    except ExtensionRefused as refused:
        raise InboxError(
            _("The deadline cannot be extended: %(why)s") % {"why": refused}
        ) from None
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.deadline_extended_to, case.deadline_extension_reason = to_working_days, reason
        case.save(update_fields=["deadline_extended_to", "deadline_extension_reason"])
        # The reason is free text and stays on the case; the audit record holds the days.
        record("case.deadline_extended", case, actor=actor, unit=case.unit, days=to_working_days)
        schedule_deadline(case)
    return case


def do_acknowledge_emergency(case: Case, actor: User) -> Case:
    """Record that an officer has seen an emergency; it leaves everyone's alert banner."""
    _check_worker(actor, case)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.priority != Priority.EMERGENCY or case.emergency_acknowledged_at is not None:
            return case
        case.emergency_acknowledged_by, case.emergency_acknowledged_at = actor, timezone.now()
        case.save(update_fields=["emergency_acknowledged_by", "emergency_acknowledged_at"])
        record("case.emergency_seen", case, actor=actor, unit=case.unit)
    return case


def _check_inbound(message: Message, account: Account) -> None:
    # Residents send ID numbers, plates and names of victims; the officer is warned before
    # quoting them back. A checker failure must never cost the resident's message.
    if not message.text:
        return
    try:
        result, versions = check_at(message.text, account.unit)
    except Exception:
        logger.exception("inbound check failed message=%s", message.pk)
        return
    if result.findings:
        do_record_check(
            result, "inbox.message", message.pk, unit=account.unit, actor=None, versions=versions
        )


def _store_automatic_reply(resident: Resident, case: Case | None, text: str) -> Message:
    # The automatic answer goes out in the webhook's acknowledgement or through the
    # channel adapter's outbox row; it is kept here so the officer sees what was told.
    return store_outbound(resident, case, text)


def store_outbound(
    resident: Resident,
    case: Case | None,
    text: str,
    *,
    author: User | None = None,
    interim: bool = False,
    submission: str = "",
) -> Message:
    """Keep a text written to a resident now: automatic unless an officer is its author."""
    return Message.objects.create(
        resident=resident,
        case=case,
        direction=Direction.OUTBOUND,
        kind=MessageKind.TEXT,
        text=text,
        sent_at=timezone.now(),
        author=author,
        is_automatic=author is None,
        is_interim=interim,
        submission=submission,
    )


def _check_worker(actor: User, case: Case) -> None:
    # NotAllowed is no InboxError: a view that shows InboxError's message as a form problem
    # lets it through, and the person gets a 403.
    check_may_work_on(actor, case)


def do_answer_case(
    case: Case,
    actor: User,
    text: str,
    *,
    resolve: bool = False,
    confirmed: bool = False,
    to_merged: bool = False,
    submission: str = "",
) -> Message:
    """Check the officer's answer, then write it and its outbox row in one transaction.

    A blocking finding stops the answer; a finding that needs review stops it unless the
    officer has `confirmed` it, and that confirmation is recorded with the findings. A tip
    or help request not yet verified takes interim answers only (inbox.verification).
    With `to_merged`, the residents whose cases were merged into this one get the answer
    too, each on their own channel (inbox.reporters), unless it holds personal data or a
    protected name. Returns the message to the case's own resident. A `submission` token
    already used on this case (the same form sent twice) sends nothing again and returns
    the answer it sent.
    """
    _check_worker(actor, case)
    text = text.strip()
    if not text:
        raise InboxError(_("Write an answer before sending it."))
    if resolve:
        _check_settled(case)
    interim = check_answer(case, text, final=resolve)
    result, versions = check_at(text, case.unit)
    if result.is_blocked:
        raise AnswerHeldBack(_("The answer was not sent: fix the blocking findings."), result)
    if result.needs_review and not confirmed:
        raise AnswerHeldBack(
            _("The answer was not sent: review the findings and confirm to send it."), result
        )
    if to_merged and is_for_one_resident(result):
        raise AnswerHeldBack(
            _(
                "The answer was not sent: it holds personal data or a protected name, so it "
                "may go only to this case's resident. Remove them, or send it to this "
                "resident alone."
            ),
            result,
        )

    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        # Read inside the lock: a second sending of the same form waits for the first and
        # then finds its answer, and a merge that has just committed is not missed.
        sent = _answer_of_submission(case, submission)
        if sent is not None:
            logger.info("answer sent before case=%s message=%s", case.pk, sent.pk)
            return sent
        others = merged_reporters(case) if to_merged else []
        # Checked without it: the invitation is our own fixed line, not the officer's. The
        # other residents rate nothing here, so theirs goes without it.
        own_text = with_invitation(case, text) if resolve else text
        message = _write_answer(case, case, actor, own_text, interim, submission)
        for other in others:
            _write_answer(case, other, actor, text, interim, submission)
        if result.findings:
            do_record_check(
                result,
                "inbox.message",
                message.pk,
                unit=case.unit,
                actor=actor,
                versions=versions,
                confirmed=result.needs_review,
            )
        if result.needs_review:
            record("answer.review_confirmed", message, actor=actor, unit=case.unit)

        target = CaseStatus.RESOLVED if resolve else CaseStatus.IN_PROGRESS
        if case.status != target:
            _set_status(case, actor, target)
        transaction.on_commit(_wake_relay)
    return message


def _answer_of_submission(case: Case, submission: str) -> Message | None:
    if not submission:
        return None
    answers = Message.objects.filter(case=case, resident_id=case.resident_id)
    return answers.filter(submission=submission).first()


def _write_answer(
    case: Case, reporter: Case, actor: User, text: str, interim: bool, submission: str
) -> Message:
    """Write one answer on `case` to the resident of `reporter` (the case itself, or one
    merged into it), on the channel that resident wrote on, with its outbox row and record."""
    message = store_outbound(
        reporter.resident, case, text, author=actor, interim=interim, submission=submission
    )
    message.outbox = outbox.enqueue(
        reporter.account, reporter.resident.external_id, text, f"inbox-message:{message.pk}"
    )
    message.save(update_fields=["outbox"])
    details: dict[str, DetailValue] = {"message": message.pk, "interim": interim}
    if reporter.pk != case.pk:
        details["merged_case"] = reporter.pk
    record("case.answered", case, actor=actor, unit=case.unit, **details)
    return message


def _wake_relay() -> None:
    # Imported here because the task module needs the app registry, which actions do not.
    from beatdesk.channels.tasks import relay_outbox

    relay_outbox()


ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.NEW: {CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED},
    CaseStatus.IN_PROGRESS: {CaseStatus.WAITING, CaseStatus.RESOLVED},
    CaseStatus.WAITING: {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED},
    CaseStatus.REOPENED: {CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseStatus.CLOSED, CaseStatus.REOPENED},
    CaseStatus.CLOSED: {CaseStatus.REOPENED},
}


def _set_status(case: Case, actor: User | None, target: str) -> None:
    previous = case.status
    case.status = target
    case.status_changed_at = timezone.now()
    if target in {CaseStatus.RESOLVED, CaseStatus.CLOSED} and case.closed_at is None:
        case.closed_at = case.status_changed_at
    elif target == CaseStatus.REOPENED:
        case.closed_at = None
    case.save(update_fields=["status", "status_changed_at", "closed_at"])
    record("case.status", case, actor=actor, unit=case.unit, old=previous, new=target)

    # Waiting for the resident stops the deadline clock; anything else starts it again.
    if target == CaseStatus.WAITING:
        start_pause(case)
    elif previous == CaseStatus.WAITING and end_pause(case):
        schedule_deadline(case)


def do_change_case_status(case: Case, actor: User, target: str) -> Case:
    """Move a case to another status if the move makes sense; record who and when."""
    _check_worker(actor, case)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if target not in ALLOWED_TRANSITIONS.get(case.status, set()):
            raise InboxError(_("A case cannot move from this status to that one."))
        if target in {CaseStatus.RESOLVED, CaseStatus.CLOSED}:
            _check_settled(case)
        check_resolving(case, target)
        if target == CaseStatus.REOPENED and case.merged_into_id is not None:
            # Its messages live on in the case it was merged into; reopening it would split
            # the matter in two, with the resident's next message and answers on both.
            raise InboxError(_("This case was merged into another; work on that one instead."))
        if target == CaseStatus.REOPENED and _has_other_open_case(case):
            raise InboxError(_("The resident already has another open case on this account."))
        if target == CaseStatus.REOPENED:
            # As when the resident reopens it: a fresh deadline from now, and its record.
            _reopen(case, actor, via="officer")
        else:
            _set_status(case, actor, target)
    return case


def _check_settled(case: Case) -> None:
    # A dispute is settled by mediation, not by an answer: its record must show one first.
    if case.case_type == CaseType.DISPUTE and not case.follow_ups.exists():
        raise InboxError(_("Record the mediation or a follow-up before closing a dispute."))


def _has_other_open_case(case: Case) -> bool:
    others = Case.objects.filter(resident=case.resident, status__in=OPEN_STATUSES)
    return others.exclude(pk=case.pk).exists()


def _open_case_of(resident: Resident) -> Case | None:
    # The routing, the audit record and the deadline read the case's unit and account.
    cases = Case.objects.select_related("unit", "account").filter(resident=resident)
    return cases.filter(status__in=OPEN_STATUSES).first()


# A station's own account keeps its station even when offices sit below it.
UNROUTED_KINDS = {"station", "community"}


def _route_by_place(case: Case | None, message: Message) -> None:
    """Move a case from a city or county account to the one unit below that its place names.

    A message or a reported position may come after the first message; the case moves
    then, as long as nobody has taken it in hand.
    """
    if case is None or case.unit.kind in UNROUTED_KINDS or not routable(case):
        return
    match = place_match(case, clues_of(message))
    if match is not None:
        _move_by_place(case, match, message)


def _move_by_place(case: Case, match: AreaMatch, message: Message) -> None:
    previous = case.unit
    case.unit = match.unit
    case.save(update_fields=["unit"])
    # The area's name is staff's own configuration, never the resident's words.
    record(
        "case.routed",
        case,
        unit=match.unit,
        from_unit=previous.pk,
        to_unit=match.unit.pk,
        via=match.via,
        area=match.name,
        message=message.pk,
    )
    logger.info("case routed case=%s unit=%s via=%s", case.pk, match.unit.pk, match.via)
    if case.deadline is not None and case.status != CaseStatus.WAITING:
        # The new unit's policies and calendar set the deadline of a case already running.
        schedule_deadline(case)


def _assign_in_turn(case: Case) -> None:
    # An answered case needs nobody, and an emergency already went to the duty officer.
    if not case.unit.round_robin or not case.is_open or case.assignee_id is not None:
        return
    officer = take_turn(case.unit)
    if officer is None:
        logger.warning("round robin found nobody on duty unit=%s", case.unit_id)
        return
    case.assignee = officer
    case.save(update_fields=["assignee"])
    record("case.assigned", case, unit=case.unit, assignee=officer.pk, via="round_robin")


def _alert_duty_officer(case: Case) -> None:
    """Put an emergency in the hands of the unit's duty officer, and record who that is.

    Everyone covering the unit still sees the emergency banner until one acknowledges it;
    the duty officer is the one who must act, so an unassigned case goes to them.
    """
    duty = on_duty(case.unit)
    if not duty:
        logger.warning("emergency with nobody on duty case=%s unit=%s", case.pk, case.unit_id)
        return
    officer = case.assignee if case.assignee in duty else duty[0]
    if case.assignee is None:
        case.assignee = officer
        case.save(update_fields=["assignee"])
        record("case.assigned", case, unit=case.unit, assignee=officer.pk, via="duty")
    record("case.duty_alerted", case, unit=case.unit, user=officer.pk)


def do_assign_case(case: Case, actor: User, assignee: User | None) -> Case:
    """Give the case to a person of its unit, or to nobody; record who did it."""
    _check_worker(actor, case)
    if assignee is not None and not may_take_cases(assignee, case.unit):
        raise InboxError(_("A case can only go to someone who works on its unit's cases."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.assignee_id == (assignee.pk if assignee else None):
            return case
        previous = case.assignee_id
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        record(
            "case.assigned",
            case,
            actor=actor,
            unit=case.unit,
            assignee=assignee.pk if assignee else None,
            previous=previous,
            via="manual",
        )
    return case


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise InboxError(_("Give a reason."))
    return reason


def do_request_transfer(case: Case, actor: User, to_unit: Unit, reason: str) -> CaseTransfer:
    """Ask another unit to take the case; it stays with this unit until they accept."""
    check_may_transfer(actor, case)
    reason = _clean_reason(reason)
    if to_unit.pk == case.unit_id:
        raise InboxError(_("The case is already with that unit."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.transfers.filter(status=TransferStatus.PENDING).exists():
            raise InboxError(_("Another unit is already deciding whether to take this case."))
        _refuse_bounce(case, actor, to_unit)
        transfer = CaseTransfer.objects.create(
            case=case, from_unit=case.unit, to_unit=to_unit, reason=reason, requested_by=actor
        )
        record(
            "case.transfer_requested",
            case,
            actor=actor,
            unit=case.unit,
            to_unit=to_unit.pk,
            transfer=transfer.pk,
        )
    return transfer


def _refuse_bounce(case: Case, actor: User, to_unit: Unit) -> None:
    """Refuse to send a case back to a unit that declined it or passed it on, without a leader.

    The chain is every request made for this case: a unit that has said no, or has already
    handed the case over, gets it again only when a leader over both units decides so.
    """
    earlier = case.transfers.filter(
        Q(to_unit=to_unit, status=TransferStatus.DECLINED)
        | Q(from_unit=to_unit, status=TransferStatus.ACCEPTED)
    )
    if not earlier.exists():
        return
    leads = units_for(actor, {Role.LEADER}).filter(pk__in=[case.unit_id, to_unit.pk])
    if leads.count() < 2:
        raise InboxError(
            _(
                "That unit has already declined or passed on this case; only a leader over "
                "both units can send it there again."
            )
        )


def _check_deciding(transfer: CaseTransfer, actor: User) -> None:
    check_may_decide(actor, transfer)
    if transfer.status != TransferStatus.PENDING:
        raise InboxError(_("This request has already been decided."))


def do_accept_transfer(transfer: CaseTransfer, actor: User) -> Case:
    """Take the case over: from now on it is this unit's, with nobody assigned yet."""
    with transaction.atomic():
        transfer = (
            CaseTransfer.objects.select_for_update().select_related("case").get(pk=transfer.pk)
        )
        _check_deciding(transfer, actor)
        transfer.status, transfer.decided_by = TransferStatus.ACCEPTED, actor
        transfer.decided_at = timezone.now()
        transfer.save(update_fields=["status", "decided_by", "decided_at"])
        case = Case.objects.select_for_update().get(pk=transfer.case_id)
        case.unit_id, case.assignee = transfer.to_unit_id, None
        case.save(update_fields=["unit", "assignee"])
        record(
            "case.transfer_accepted",
            case,
            actor=actor,
            unit=transfer.to_unit,
            from_unit=transfer.from_unit_id,
            transfer=transfer.pk,
        )
        if case.status != CaseStatus.WAITING and case.is_open:
            schedule_deadline(case)
    return case


def do_decline_transfer(transfer: CaseTransfer, actor: User, reason: str) -> CaseTransfer:
    """Say no, with a reason: the case stays where it was, and that unit hears why."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
        _check_deciding(transfer, actor)
        transfer.status, transfer.decided_by = TransferStatus.DECLINED, actor
        transfer.decided_at, transfer.decline_reason = timezone.now(), reason
        transfer.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        record(
            "case.transfer_declined",
            transfer.case,
            actor=actor,
            unit=transfer.to_unit,
            from_unit=transfer.from_unit_id,
            transfer=transfer.pk,
        )
    return transfer


@dataclass(frozen=True)
class BulkChange:
    """One change for many cases: exactly one of the fields is set."""

    assignee: User | None = None
    status: str = ""
    case_type: str = ""


def do_bulk_change(actor: User, case_ids: list[int], change: BulkChange) -> int:
    """Apply one change to every chosen case, or to none; return how many changed.

    Every id must name a case the actor may work on: an id from outside their units is
    refused like any other problem, and nothing changes.
    """
    wanted = set(case_ids)
    cases = list(cases_for(actor, for_work=True).filter(pk__in=wanted).order_by("pk"))
    if not wanted or len(cases) != len(wanted):
        raise InboxError(_("Some chosen cases are not yours to change; nothing was changed."))
    with transaction.atomic():
        for case in cases:
            try:
                _apply_change(case, actor, change)
            except InboxError as error:
                raise InboxError(
                    _("Case %(code)s: %(error)s Nothing was changed.")
                    % {"code": case.tracking_code, "error": error}
                ) from None
    logger.info("bulk change cases=%s", len(cases))
    return len(cases)


def _apply_change(case: Case, actor: User, change: BulkChange) -> None:
    if change.status:
        if change.status != case.status:
            do_change_case_status(case, actor, change.status)
    elif change.case_type:
        do_set_case_type(case, actor, change.case_type)
    else:
        do_assign_case(case, actor, change.assignee)


class CannedAnswerRefused(InboxError):
    """A canned answer the checker blocks is not kept: officers would send it as it is."""


def do_add_canned_answer(unit: Unit, title: str, text: str, actor: User) -> CannedAnswer:
    """Keep a ready answer for the unit and the units below it, checked first; audited."""
    result, _versions = check_at(text, unit)
    if result.is_blocked:
        raise CannedAnswerRefused(_("The checker blocks this answer: fix its findings first."))
    with transaction.atomic():
        canned = CannedAnswer.objects.create(unit=unit, title=title, text=text, created_by=actor)
        record("canned_answer.added", canned, actor=actor, unit=unit)
    return canned


def do_retire_canned_answer(canned: CannedAnswer, actor: User) -> None:
    """Stop offering a canned answer; the row stays, for who wrote what. Audited."""
    with transaction.atomic():
        CannedAnswer.objects.filter(pk=canned.pk).update(is_active=False)
        record("canned_answer.retired", canned, actor=actor, unit=canned.unit)
