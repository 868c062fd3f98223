"""Anonymous tips: who sent them is sealed everywhere, and shown only on a recorded reason.

Issue 5: a tip sent anonymously on the portal is sealed as it arrives; on a chat channel,
where every message carries the sender's id, an officer seals a tip whose sender asked to
stay anonymous. A sealed tip's channel id, contact details, place and shared location
never appear on a screen, list, export or API. Its case page shows this case's messages
only (the resident's other cases would tell who they are), and the resident's other cases
leave out the sealed tip's messages. Leaders of the case's unit or above may unseal
(`units.policy`, Action.UNSEAL): they type a reason, see the tipster in that one response,
and one audit record keeps the reason's category and length, never the identity. Sealing
is never undone.
"""

import logging

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.inbox.access import check_may_work_on, may_unseal
from beatdesk.inbox.errors import InboxError
from beatdesk.inbox.intake import IncomingMessage
from beatdesk.inbox.models import Case, CaseType, Message, Unsealing, UnsealReason
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

# A reason shorter than this says nothing a reviewer could weigh.
MIN_REASON_CHARACTERS = 5


def seal_if_anonymous(case: Case, incoming: IncomingMessage) -> None:
    """Seal a case the resident sent as an anonymous tip (the portal's choice); audited."""
    if case.tipster_sealed or incoming.attributes.get("anonymous") != "yes":
        return
    case.tipster_sealed = True
    case.save(update_fields=["tipster_sealed"])
    record("case.sealed", case, unit=case.unit, via="resident")


def do_seal_tipster(case: Case, actor: User) -> Case:
    """Seal the tipster of a tip, at their request; it cannot be undone. Audited."""
    check_may_work_on(actor, case)
    if case.case_type != CaseType.TIP:
        raise InboxError(_("Only a tip's sender can be sealed; set the type to tip first."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.tipster_sealed:
            raise InboxError(_("The tipster of this case is already sealed."))
        case.tipster_sealed = True
        case.save(update_fields=["tipster_sealed"])
        record("case.sealed", case, actor=actor, unit=case.unit, via="officer")
    logger.info("tipster sealed case=%s", case.pk)
    return case


def do_unseal_tipster(case: Case, actor: User, category: str, reason: str) -> Unsealing:
    """Record a leader's reason for seeing a sealed tipster; the caller shows them once.

    The audit record keeps the category and the reason's length: the reason itself may
    name the tipster, so it stays on the unsealing row for those who may unseal.
    """
    if not may_unseal(actor, case):
        raise InboxError(_("Only a leader of the case's unit may see a sealed tipster."))
    if not case.tipster_sealed:
        raise InboxError(_("The tipster of this case is not sealed."))
    if category not in UnsealReason.values:
        raise InboxError(_("Choose why you need to see the tipster."))
    reason = " ".join(reason.split())[:300]
    if len(reason) < MIN_REASON_CHARACTERS:
        raise InboxError(_("Write the reason in a few words; it is kept with the case."))
    with transaction.atomic():
        unsealing = Unsealing.objects.create(
            case=case, unsealed_by=actor, category=category, reason=reason
        )
        record(
            "case.unsealed",
            case,
            actor=actor,
            unit=case.unit,
            unsealing=unsealing.pk,
            category=category,
            reason_length=len(reason),
        )
    logger.info("tipster unsealed case=%s category=%s", case.pk, category)
    return unsealing


def conversation_for(case: Case, *, unsealed: bool = False) -> QuerySet[Message]:
    """Return the messages a case page shows: a sealed tip's own, or all but sealed ones."""
    if case.tipster_sealed and not unsealed:
        return case.messages.all()
    # The resident's whole conversation, and what another resident wrote in a case that
    # was merged into this one.
    messages = Message.objects.filter(Q(resident_id=case.resident_id) | Q(case=case))
    if unsealed:
        return messages
    # The resident's other cases are theirs to see here, but not a tip they had sealed.
    return messages.exclude(case__tipster_sealed=True)
