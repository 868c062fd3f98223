"""The case page's verification and sealing parts, and the posts that change them.

Unsealing is in `inbox.views` beside unmasking: both are a showing of the case page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beatdesk.inbox.access import (
    access_case_by_id,
    check_may_verify,
    check_may_work_on,
    may_unseal,
    may_verify,
    may_work_on,
)
from beatdesk.inbox.errors import InboxError
from beatdesk.inbox.forms import UnsealForm, VerificationForm
from beatdesk.inbox.models import Case, CaseType
from beatdesk.inbox.sealing import do_seal_tipster
from beatdesk.inbox.verification import (
    VERIFIED_TYPES,
    awaits_verification,
    do_record_verification,
    interim_answer,
    latest_verification,
    outcome_answer,
)
from beatdesk.units.models import User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def verification_context(user: User, case: Case) -> dict[str, object]:
    """What the case page shows about the case's verification and its sealed tipster."""
    latest = latest_verification(case)
    answering = case.is_open and may_work_on(user, case)
    unsealer = case.tipster_sealed and may_unseal(user, case)
    return {
        "verifications": list(case.verifications.select_related("verified_by")),
        "needs_verification": case.case_type in VERIFIED_TYPES,
        "awaits_verification": awaits_verification(case),
        "may_verify": case.is_open and may_verify(user, case),
        "verification_form": VerificationForm(),
        "interim_answer": interim_answer() if answering and latest is None else "",
        "outcome_answer": outcome_answer(latest) if answering and latest else "",
        "may_seal": answering and case.case_type == CaseType.TIP and not case.tipster_sealed,
        "may_unseal": unsealer,
        "unseal_form": UnsealForm() if unsealer else None,
        "unsealings": list(case.unsealings.select_related("unsealed_by")) if unsealer else [],
    }


@login_required
@require_POST
def case_verify(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record how a tip or help request was checked and what was found."""
    case = access_case_by_id(_user(request), case_id)
    check_may_verify(_user(request), case)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the case was checked and what was found."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_record_verification(case, _user(request), **form.cleaned_data)
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The verification was recorded."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_seal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Seal a tip's sender, who asked to stay anonymous; nobody can undo it."""
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    try:
        do_seal_tipster(case, _user(request))
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The tipster is sealed on every screen and export."))
    return redirect("inbox:case_detail", case_id=case.pk)
