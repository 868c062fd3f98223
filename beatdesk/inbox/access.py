"""Who may see and work on which cases: every list and lookup of cases goes through here."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from beatdesk.core.refusals import ShownRefusal
from beatdesk.inbox.models import (
    CannedAnswer,
    Case,
    CaseRating,
    CaseTransfer,
    DuplicateProposal,
    ProposalStatus,
    TransferStatus,
)
from beatdesk.units.access import (
    CASE_ROLES,
    CASE_WORK_ROLES,
    role_roots,
    subtree_filter,
    units_for,
)
from beatdesk.units.models import Role, User
from beatdesk.units.policy import Action, roles_for

# Who keeps a unit's canned answers (its leaders and the network center's staff).
CANNED_ANSWER_ROLES = roles_for(Action.KEEP_CANNED_ANSWERS)
# Asking another unit to take a case, and deciding on such a request, is a decision for
# the officers and leaders of the unit concerned.
TRANSFER_ROLES = {Role.OFFICER, Role.DUTY_OFFICER, Role.LEADER}


class NotAllowed(ShownRefusal):
    """The user can see the case but may not do this to it: 403, and nothing changes."""


def cases_for(user: User, *, for_work: bool = False) -> QuerySet[Case]:
    """Return the cases of every unit the user's roles cover; nothing outside them.

    A case another unit asks one of the user's units to take is readable too, so that they
    can decide; it is theirs to work on only once they accept it.
    """
    roles = CASE_WORK_ROLES if for_work else CASE_ROLES
    roots = role_roots(user, roles)
    if not roots:
        return Case.objects.none()
    own = subtree_filter(roots, "unit__")
    if for_work:
        return Case.objects.filter(own)
    offered = CaseTransfer.objects.filter(
        subtree_filter(roots, "to_unit__"), status=TransferStatus.PENDING
    ).values("case_id")
    return Case.objects.filter(own | Q(pk__in=offered))


def access_case_by_id(user: User, case_id: int, *, for_work: bool = False) -> Case:
    """Return a case the user may see (or work on); any other id is simply not found."""
    case = (
        cases_for(user, for_work=for_work)
        .select_related("resident", "account", "unit", "assignee")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def may_work_on(user: User, case: Case) -> bool:
    """Return whether the user may answer, assign or change the status of the case."""
    return units_for(user, CASE_WORK_ROLES).filter(pk=case.unit_id).exists()


def check_may_work_on(user: User, case: Case) -> None:
    """Raise NotAllowed unless the user may answer, assign or change the case."""
    if not may_work_on(user, case):
        raise NotAllowed(_("You may read this case but not change it."))


def check_may_verify(user: User, case: Case) -> None:
    """Raise NotAllowed unless the user may record how the case was checked."""
    if not may_verify(user, case):
        raise NotAllowed(_("Only an officer or leader of the responsible unit may verify."))


def may_transfer(user: User, case: Case) -> bool:
    """Return whether the user may ask another unit to take the case."""
    return units_for(user, TRANSFER_ROLES).filter(pk=case.unit_id).exists()


def check_may_transfer(user: User, case: Case) -> None:
    """Raise NotAllowed unless the user may ask another unit to take the case."""
    if not may_transfer(user, case):
        raise NotAllowed(_("Only an officer or leader of the responsible unit may do this."))


def may_decide(user: User, transfer: CaseTransfer) -> bool:
    """Return whether the user may accept or decline the request to take a case."""
    return units_for(user, TRANSFER_ROLES).filter(pk=transfer.to_unit_id).exists()


def check_may_decide(user: User, transfer: CaseTransfer) -> None:
    """Raise NotAllowed unless the user may accept or decline the request."""
    if not may_decide(user, transfer):
        raise NotAllowed(_("Only an officer or leader of the asked unit may decide."))


def access_transfer_by_id(user: User, case: Case, transfer_id: int) -> CaseTransfer:
    """Return a transfer of a case the user can already see; any other id is not found."""
    transfer = case.transfers.select_related("from_unit", "to_unit").filter(pk=transfer_id).first()
    if transfer is None:
        raise Http404("No such request")
    return transfer


def canned_answers_for_case(case: Case) -> QuerySet[CannedAnswer]:
    """Return the canned answers an officer may use on this case: its unit's and above."""
    return CannedAnswer.objects.filter(unit__in=case.unit.ancestors(), is_active=True)


def canned_answers_kept_by(user: User) -> QuerySet[CannedAnswer]:
    """Return the canned answers of every unit whose leaders or center staff include user."""
    return CannedAnswer.objects.filter(unit__in=units_for(user, CANNED_ANSWER_ROLES))


def may_unmask(user: User, case: Case) -> bool:
    """Return whether the user may see the case's personal data whole (audited each time)."""
    return units_for(user, roles_for(Action.UNMASK)).filter(pk=case.unit_id).exists()


def may_verify(user: User, case: Case) -> bool:
    """Return whether the user may record how a tip or help request was checked."""
    return units_for(user, roles_for(Action.VERIFY)).filter(pk=case.unit_id).exists()


def may_unseal(user: User, case: Case) -> bool:
    """Return whether the user may see a sealed tipster (with a reason, audited each time)."""
    return units_for(user, roles_for(Action.UNSEAL)).filter(pk=case.unit_id).exists()


def ratings_for(user: User) -> QuerySet[CaseRating]:
    """Return the residents' ratings of the cases the user may see; nothing outside them."""
    return CaseRating.objects.filter(case__in=cases_for(user))


def duplicate_proposals_for(user: User, case: Case) -> QuerySet[DuplicateProposal]:
    """Return the open proposals that pair this case with another case the user may see."""
    visible = cases_for(user)
    return (
        DuplicateProposal.objects.filter(Q(case=case) | Q(other=case), status=ProposalStatus.OPEN)
        .filter(case__in=visible, other__in=visible)
        .select_related("case", "other")
    )


def access_proposal_by_id(user: User, case: Case, proposal_id: int) -> DuplicateProposal:
    """Return an open proposal of a case the user can see; any other id is not found."""
    proposal = duplicate_proposals_for(user, case).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such proposal")
    return proposal
