"""Listen, verify, then answer: tips and help requests get a final answer only once checked.

Issue 5: an officer records who checked a tip or help request, how (a call back, a visit,
a records check, or something else described) and what they found (confirmed, unfounded,
handed to another department, or taken up as a criminal case). Until then the answer box
takes interim answers only ("we received it, we are checking"), kept as interim, and the
case cannot be resolved. Afterwards the officer is offered a warm answer that tells the
resident the outcome in general terms; it goes through the checker like any answer. The
criminal case number stays with staff: an answer that names it is refused.
"""

import logging
import re

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record
from beatdesk.inbox.access import check_may_verify
from beatdesk.inbox.errors import InboxError
from beatdesk.inbox.models import (
    Case,
    CaseStatus,
    CaseType,
    Verification,
    VerificationMethod,
    VerificationOutcome,
)
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

# The types whose final answer waits for a recorded verification.
VERIFIED_TYPES = frozenset({CaseType.TIP, CaseType.HELP})
# A criminal case number as police systems write it: letters, digits and dashes.
CRIMINAL_CASE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")
# Characters people put inside a number when they copy it; ignored when looking for it.
NUMBER_SEPARATORS = re.compile(r"[\s\-‐‑–—_/.·]")


def latest_verification(case: Case) -> Verification | None:
    """Return the verification that counts for the case: the newest one, if any."""
    return case.verifications.order_by("-verified_at", "-id").first()


def awaits_verification(case: Case) -> bool:
    """Return whether the case is a tip or help request nobody has verified yet."""
    return case.case_type in VERIFIED_TYPES and not case.verifications.exists()


def check_answer(case: Case, text: str, *, final: bool) -> bool:
    """Refuse an answer the verification rules forbid; return whether it is an interim one."""
    if awaits_verification(case):
        if final:
            raise InboxError(
                _(
                    "This tip or help request has not been verified yet: record how it was "
                    "checked and what was found before a final answer. Until then you can "
                    "send an interim answer, without marking the case resolved."
                )
            )
        return True
    if _names_a_criminal_case_number(case, text):
        raise InboxError(
            _(
                "The answer names the criminal case number, which residents are never told. "
                "Remove it and send the answer again."
            )
        )
    return False


def check_resolving(case: Case, target: str) -> None:
    """Refuse to resolve a tip or help request before its verification is recorded."""
    if target == CaseStatus.RESOLVED and awaits_verification(case):
        raise InboxError(
            _("A tip or help request is resolved only after its verification is recorded.")
        )


def _names_a_criminal_case_number(case: Case, text: str) -> bool:
    numbers = case.verifications.exclude(criminal_case_number="").values_list(
        "criminal_case_number", flat=True
    )
    written = NUMBER_SEPARATORS.sub("", text).casefold()
    return any(NUMBER_SEPARATORS.sub("", number).casefold() in written for number in numbers)


def do_record_verification(
    case: Case,
    actor: User,
    *,
    method: str,
    outcome: str,
    note: str = "",
    department: str = "",
    criminal_case_number: str = "",
) -> Verification:
    """Record how the case was checked and what was found; audited, codes only."""
    check_may_verify(actor, case)
    if not case.is_open:
        raise InboxError(_("The case is closed: reopen it before verifying it again."))
    note = " ".join(note.split())[:300]
    _check_method(method, note)
    department, number = _outcome_details(outcome, department, criminal_case_number)
    with transaction.atomic():
        verification = Verification.objects.create(
            case=case,
            verified_by=actor,
            method=method,
            note=note,
            outcome=outcome,
            department=department,
            criminal_case_number=number,
        )
        # The department and the case number are staff's words; the record keeps codes.
        record(
            "case.verified",
            case,
            actor=actor,
            unit=case.unit,
            verification=verification.pk,
            method=method,
            outcome=outcome,
        )
    logger.info("case verified case=%s method=%s outcome=%s", case.pk, method, outcome)
    return verification


def _check_method(method: str, note: str) -> None:
    if method not in VerificationMethod.values:
        raise InboxError(_("Choose how the case was checked."))
    if method == VerificationMethod.OTHER and not note:
        raise InboxError(_("Describe in the note how the case was checked."))


def _outcome_details(outcome: str, department: str, number: str) -> tuple[str, str]:
    """Return the department and case number the outcome needs, refusing missing ones."""
    if outcome not in VerificationOutcome.values:
        raise InboxError(_("Choose what the verification found."))
    department, number = " ".join(department.split())[:60], number.strip()
    if outcome == VerificationOutcome.DEPARTMENT:
        if not department:
            raise InboxError(_("Name the department the matter was transferred to."))
        return department, ""
    if outcome == VerificationOutcome.CRIMINAL_CASE:
        if not CRIMINAL_CASE_NUMBER.fullmatch(number):
            raise InboxError(
                _("Give the criminal case number: 4 to 40 letters, digits or dashes.")
            )
        return "", number
    return "", ""


def interim_answer() -> str:
    """Return the answer that tells the resident their matter is being checked."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Thank you for writing to us. We have received your message and are checking "
            "it now; we will write to you again as soon as we have."
        )


def outcome_answer(verification: Verification) -> str:
    """Return a warm answer telling the resident the outcome in general terms.

    It names nobody and nothing of the investigation: no tipster, no suspect, no case
    number, no method; the department a matter went to is the only detail, because the
    resident needs it to follow up.
    """
    with translation.override(settings.LANGUAGE_CODE):
        if verification.outcome == VerificationOutcome.CONFIRMED:
            return _(
                "Thank you for writing to us. We have checked what you told us and are "
                "acting on it. We cannot share the details of our work, but your help makes "
                "a real difference to everyone's safety."
            )
        if verification.outcome == VerificationOutcome.UNFOUNDED:
            return _(
                "Thank you for writing to us. We have checked what you told us and found "
                "nothing that needs police action at present. If you notice anything new, "
                "please write to us again; in an emergency, call 110."
            )
        if verification.outcome == VerificationOutcome.DEPARTMENT:
            return _(
                "Thank you for writing to us. We have checked what you told us: it is a "
                "matter for %(department)s, and we have passed it to them to follow up."
            ) % {"department": verification.department}
        return _(
            "Thank you for writing to us. We have checked what you told us, and our "
            "investigators are now handling it. We cannot share details while the work "
            "goes on. Thank you for your help."
        )
