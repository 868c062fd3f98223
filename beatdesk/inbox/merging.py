"""An officer's decision on a duplicate proposal: merge the two cases, or dismiss the guess.

Merging keeps one case and closes the other as merged into it: every message of the
closed one moves to the kept one, which takes the higher priority of the two. The closed
case's resident is told, in a fixed line, that their report is handled with another;
answers on the kept case may go to them too (inbox.reporters). Both cases must be open,
of the same unit, and the officer's to work on; merging across units is refused
(transfer one case first), so no unit ever loses a case to another by a merge.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.channels import outbox
from beatdesk.inbox.access import cases_for
from beatdesk.inbox.actions import (
    InboxError,
    _set_status,
    _wake_relay,
    store_outbound,
    tracking_url,
)
from beatdesk.inbox.models import (
    Case,
    CaseStatus,
    DuplicateProposal,
    Message,
    ProposalStatus,
    TransferStatus,
)
from beatdesk.inbox.reporters import may_write_to
from beatdesk.units.models import User

logger = logging.getLogger(__name__)


def do_merge_cases(proposal: DuplicateProposal, actor: User, keep_id: int) -> Case:
    """Merge the proposal's two cases into the one with id `keep_id`; return the kept case."""
    if keep_id not in {proposal.case_id, proposal.other_id}:
        raise InboxError(_("Choose one of the two cases to keep."))
    with transaction.atomic():
        proposal = DuplicateProposal.objects.select_for_update().get(pk=proposal.pk)
        kept, merged = _locked_pair(proposal, actor, keep_id)
        _move_messages(merged, kept)
        _carry_priority(merged, kept)
        merged.merged_into = kept
        merged.save(update_fields=["merged_into"])
        _set_status(merged, actor, CaseStatus.CLOSED)
        _tell_merged_resident(merged, kept)
        _decide(proposal, actor, ProposalStatus.MERGED)
        record("case.merged", kept, actor=actor, unit=kept.unit, merged=merged.pk)
        record("case.merged_into", merged, actor=actor, unit=merged.unit, into=kept.pk)
        transaction.on_commit(_wake_relay)
    logger.info("cases merged kept=%s merged=%s", kept.pk, merged.pk)
    return kept


def _locked_pair(proposal: DuplicateProposal, actor: User, keep_id: int) -> tuple[Case, Case]:
    """Lock both cases in id order and refuse a merge that must not happen."""
    if proposal.status != ProposalStatus.OPEN:
        raise InboxError(_("This proposal has already been decided."))
    ids = sorted([proposal.case_id, proposal.other_id])
    workable = cases_for(actor, for_work=True).filter(pk__in=ids).values_list("pk", flat=True)
    if set(workable) != set(ids):
        raise InboxError(_("You may merge only cases you work on."))
    pair = {case.pk: case for case in Case.objects.select_for_update().filter(pk__in=ids)}
    kept = pair[keep_id]
    merged = pair[proposal.other_id if keep_id == proposal.case_id else proposal.case_id]
    if kept.unit_id != merged.unit_id:
        raise InboxError(_("Cases of different units cannot be merged; transfer one first."))
    if not (kept.is_open and merged.is_open):
        raise InboxError(_("Only two open cases can be merged."))
    if merged.transfers.filter(status=TransferStatus.PENDING).exists():
        raise InboxError(_("Another unit is deciding whether to take that case; wait for it."))
    return kept, merged


def _move_messages(merged: Case, kept: Case) -> None:
    Message.objects.filter(case=merged).update(case=kept)
    latest = kept.messages.aggregate(latest=Max("sent_at"))["latest"]
    if latest is not None and latest > kept.last_message_at:
        kept.last_message_at = latest
        kept.save(update_fields=["last_message_at"])


def _tell_merged_resident(merged: Case, kept: Case) -> None:
    """Tell the resident of the closed case that their report lives on in another case.

    Their case is closed by the merge; without a word they would think it dropped. The
    line names no other resident and nothing of the kept case. The kept case's own
    resident, when the two cases are one person's, needs no such word, and nothing goes
    out through an account since switched off.
    """
    resident = merged.resident
    if resident.pk == kept.resident_id or not may_write_to(merged):
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Your report has been joined with another report of the same matter, and "
            "officers are handling them together. Your tracking code %(code)s still works "
            "at %(url)s."
        ) % {"code": merged.tracking_code, "url": tracking_url()}
    notice = store_outbound(resident, kept, text)
    notice.outbox = outbox.enqueue(
        merged.account, resident.external_id, text, f"case-merged:{merged.pk}"
    )
    notice.save(update_fields=["outbox"])


def _carry_priority(merged: Case, kept: Case) -> None:
    # An emergency must never disappear into a calmer case.
    if merged.priority <= kept.priority:
        return
    kept.priority, kept.emergency_reason = merged.priority, merged.emergency_reason
    kept.emergency_acknowledged_by = merged.emergency_acknowledged_by
    kept.emergency_acknowledged_at = merged.emergency_acknowledged_at
    kept.save(
        update_fields=[
            "priority",
            "emergency_reason",
            "emergency_acknowledged_by",
            "emergency_acknowledged_at",
        ]
    )


def _decide(proposal: DuplicateProposal, actor: User, status: str) -> None:
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])


def do_dismiss_proposal(proposal: DuplicateProposal, actor: User) -> None:
    """Record that the two cases are different matters; they are not proposed again."""
    with transaction.atomic():
        proposal = DuplicateProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.OPEN:
            raise InboxError(_("This proposal has already been decided."))
        workable = cases_for(actor, for_work=True).filter(pk=proposal.case_id)
        if not workable.exists():
            raise InboxError(_("You may read this case but not change it."))
        _decide(proposal, actor, ProposalStatus.DISMISSED)
        record(
            "case.duplicate_dismissed",
            proposal.case,
            actor=actor,
            unit=proposal.case.unit,
            other=proposal.other_id,
        )
