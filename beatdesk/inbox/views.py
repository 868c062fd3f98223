"""Officer inbox: thin views over the inbox's access functions and actions."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beatdesk.audit.actions import record
from beatdesk.audit.models import AuditRecord
from beatdesk.checker.core import conceal
from beatdesk.checker.models import CheckRecord
from beatdesk.checker.presentation import category_label, result_data
from beatdesk.core.actions import JobRefused, do_start_job
from beatdesk.inbox.access import (
    CANNED_ANSWER_ROLES,
    NotAllowed,
    access_case_by_id,
    access_proposal_by_id,
    access_transfer_by_id,
    canned_answers_for_case,
    canned_answers_kept_by,
    cases_for,
    check_may_decide,
    check_may_transfer,
    check_may_work_on,
    duplicate_proposals_for,
    may_decide,
    may_transfer,
    may_unmask,
    may_unseal,
    may_work_on,
)
from beatdesk.inbox.actions import (
    AnswerHeldBack,
    BulkChange,
    CannedAnswerRefused,
    InboxError,
    do_accept_transfer,
    do_acknowledge_emergency,
    do_add_canned_answer,
    do_answer_case,
    do_assign_case,
    do_bulk_change,
    do_change_case_status,
    do_decline_transfer,
    do_extend_deadline,
    do_request_transfer,
    do_retire_canned_answer,
    do_set_case_type,
    tracking_url,
)
from beatdesk.inbox.alerts import emergency_alerts_for
from beatdesk.inbox.answering import proposal_texts
from beatdesk.inbox.classification import DEPARTMENT_CONTACTS, Department, DepartmentContact
from beatdesk.inbox.disclosure import shown
from beatdesk.inbox.exports import CASE_EXPORT, may_export
from beatdesk.inbox.forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    CannedAnswerForm,
    DeclineForm,
    DutyForm,
    ExtensionForm,
    FollowUpForm,
    StatusForm,
    TransferForm,
    TypeForm,
    UnsealForm,
)
from beatdesk.inbox.mediation import FollowUpInput, do_record_follow_up, follow_ups_due
from beatdesk.inbox.merging import do_dismiss_proposal, do_merge_cases
from beatdesk.inbox.models import (
    Case,
    CaseRating,
    CaseStatus,
    Direction,
    FollowUp,
    Message,
    TransferStatus,
)
from beatdesk.inbox.presence import others_reading
from beatdesk.inbox.reporters import merged_reporters
from beatdesk.inbox.sealing import conversation_for, do_unseal_tipster
from beatdesk.inbox.unread import (
    CASE_LISTS,
    DEFAULT_LIST,
    LIST_SLUGS,
    CaseList,
    list_filter,
    mark_case_read,
    unread_counts,
    with_unread,
)
from beatdesk.inbox.verification_views import verification_context
from beatdesk.units.access import CASE_ROLES, CASE_WORK_ROLES, units_for
from beatdesk.units.duty import (
    DUTY_DAYS_AHEAD,
    DutyError,
    do_add_duty_shift,
    do_remove_duty_shift,
    do_set_round_robin,
    local_day,
    on_duty,
)
from beatdesk.units.models import DutyShift, Role, Unit, User

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """One named list of the user's cases, most urgent and newest first, with unread counts."""
    user = _user(request)
    now = timezone.now()
    current = request.GET.get("list", DEFAULT_LIST)
    if current not in LIST_SLUGS:
        current = DEFAULT_LIST
    selecting = request.GET.get("select") == "1"
    cases = with_unread(cases_for(user).filter(list_filter(current, user, now)), user)
    cases = cases.select_related("resident", "unit", "assignee", "account")
    cases = cases.order_by("-priority", "deadline", "-last_message_at", "-id")

    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    # The list polls itself; a poll gets only the list and its counts, not the whole page.
    template = "inbox/case_list.html"
    if request.headers.get("HX-Request") == "true":
        template += "#case-list"
    context = {
        "page": page,
        "now": now,
        "selecting": selecting,
        "current": current,
        "lists": _lists_with_counts(user, now),
    }
    if selecting:
        context["bulk_form"] = BulkForm(people=_people_of(user))
    return render(request, template, context)


def _lists_with_counts(user: User, now: datetime) -> list[tuple[CaseList, int]]:
    counts = unread_counts(user, now)
    return [(case_list, counts[case_list.slug]) for case_list in CASE_LISTS]


@require_GET
def emergency_alerts(request: HttpRequest) -> HttpResponse:
    """The emergency banner alone, which every staff page asks for every few seconds.

    Nothing is sent while the banner the page shows is still right, so the page keeps it
    as it is and screen readers do not announce it again.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        # 286 tells htmx to stop asking; a signed-out page has no banner to keep.
        return HttpResponse(status=286)
    alerts = emergency_alerts_for(user)
    if not alerts.watching:
        return HttpResponse(status=286)
    if request.GET.get("shown", "") == alerts.shown:
        return HttpResponse(status=204)
    return render(request, "inbox/emergency_alerts.html", {"emergency_alerts": alerts})


def _people_of(user: User) -> QuerySet[User]:
    """Return the people who work on cases in the user's units: the choice for assigning."""
    units = units_for(user, CASE_WORK_ROLES)
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__unit__in=units,
            role_assignments__role__in=CASE_WORK_ROLES,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def _case_context(
    request: HttpRequest,
    case: Case,
    answer_form: AnswerForm,
    *,
    whole: bool = False,
    unsealed: bool = False,
) -> dict[str, object]:
    conversation = conversation_for(case, unsealed=unsealed)
    conversation = conversation.select_related("outbox", "author").order_by("sent_at", "id")
    checks = _inbound_findings(conversation)
    # Personal data is masked unless this response is the audited showing of it whole, and
    # a sealed tipster stays sealed unless it is the audited unsealing.
    sealed = case.tipster_sealed and not unsealed
    showings = [
        (message, checks.get(message.pk), shown(message, whole=whole, sealed=sealed))
        for message in conversation
    ]
    # Readings are audited but are not part of the case's story.
    history = (
        AuditRecord.objects.filter(object_type="inbox.case", object_id=str(case.pk))
        .exclude(action="case.viewed")
        .select_related("actor", "unit")
    )
    return (
        {
            "case": case,
            "conversation": showings,
            "shown_whole": whole,
            "unsealed": unsealed,
            "anything_masked": any(showing.masked for _m, _f, showing in showings),
            "may_unmask": may_unmask(_user(request), case),
            "history": [(entry, _history_note(entry)) for entry in history],
            "answer_form": answer_form,
            "canned": canned_answers_for_case(case) if case.is_open else [],
            "status_form": StatusForm(initial={"status": case.status}),
            "type_form": TypeForm(initial={"case_type": case.case_type}),
            "extension_form": ExtensionForm(),
            "follow_ups": _follow_ups_shown(case, whole=whole),
            "follow_up_form": FollowUpForm(initial={"happened_on": timezone.localdate()}),
            "proposals": proposal_texts(
                case.proposals, case.unit, case.account.kind, tracking_url()
            )
            if case.is_open
            else [],
            "type_percent": round((case.type_confidence or 0) * 100),
            "emergency_label": EMERGENCY_LABELS.get(case.emergency_reason, case.emergency_reason),
            "handover": _handover(case.handover_department),
            "may_work": may_work_on(_user(request), case),
        }
        | _routing_context(request, case)
        | verification_context(_user(request), case)
        | _related_context(request, case)
    )


def _related_context(request: HttpRequest, case: Case) -> dict[str, object]:
    """What the case page shows of the rating, linked cases and possible duplicates."""
    visible = cases_for(_user(request))
    return {
        "rating": CaseRating.objects.filter(case=case).first(),
        "follows": visible.filter(pk=case.follows_id).first() if case.follows_id else None,
        "merged_into": visible.filter(pk=case.merged_into_id).first()
        if case.merged_into_id
        else None,
        "merged_cases": list(visible.filter(merged_into=case).order_by("pk")),
        "merged_reporters": len(merged_reporters(case)),
        "duplicates": [
            (proposal, proposal.other if proposal.case_id == case.pk else proposal.case)
            for proposal in duplicate_proposals_for(_user(request), case)
        ],
    }


def _routing_context(request: HttpRequest, case: Case) -> dict[str, object]:
    """What the case page shows about who holds the case and who else is reading it."""
    user = _user(request)
    transfers = list(case.transfers.select_related("from_unit", "to_unit", "requested_by"))
    pending = next((t for t in transfers if t.status == TransferStatus.PENDING), None)
    return {
        "past_transfers": [t for t in transfers if t.status != TransferStatus.PENDING],
        "pending_transfer": pending,
        "may_decide": pending is not None and may_decide(user, pending),
        "may_transfer": pending is None and may_transfer(user, case),
        "assign_form": AssignForm(initial={"assignee": case.assignee_id}, unit=case.unit),
        "transfer_form": TransferForm(case_unit=case.unit),
        "decline_form": DeclineForm(),
        "readers": others_reading(case, user),
        "on_duty": on_duty(case.unit),
    }


# Labels for the routing actions, kept beside the page that shows them; the audit app's
# own labels take over once they list these actions.
ROUTING_LABELS = {
    "case.routed": gettext_lazy("Routed by place to %(unit)s (%(area)s)"),
    "case.assigned": gettext_lazy("Assigned"),
    "case.duty_alerted": gettext_lazy("Duty officer alerted"),
    "case.transfer_requested": gettext_lazy("Another unit asked to take the case"),
    "case.transfer_accepted": gettext_lazy("Taken over by %(unit)s"),
    "case.transfer_declined": gettext_lazy("Declined by %(unit)s"),
}


def _history_note(entry: AuditRecord) -> str:
    """Return what a history line says after its time and actor."""
    label = ROUTING_LABELS.get(entry.action)
    if label is None:
        status = _status_label(entry.details.get("new"))
        return f"{entry.action_label} → {status}" if status else entry.action_label
    unit_name = entry.unit.name if entry.unit else ""
    return str(label) % {"unit": unit_name, "area": entry.details.get("area", "")}


EMERGENCY_LABELS = {
    "violence": gettext_lazy("violence in progress"),
    "threat": gettext_lazy("a threat to someone's life or safety"),
    "self_harm": gettext_lazy("someone may harm themselves"),
    "missing_person": gettext_lazy("a missing person"),
    "fire": gettext_lazy("fire or gas"),
    "medical": gettext_lazy("someone injured or suddenly ill"),
    "crime_in_progress": gettext_lazy("a crime happening now"),
    "dangerous_driving": gettext_lazy("dangerous driving now"),
}


def _handover(code: str) -> DepartmentContact | None:
    try:
        return DEPARTMENT_CONTACTS[Department(code)] if code else None
    except ValueError:
        return None


def _status_label(code: object) -> str:
    labels = dict(CaseStatus.choices)
    return str(labels.get(str(code), code)) if code else ""


def _inbound_findings(conversation: QuerySet[Message]) -> dict[int, list[str]]:
    """Map each inbound message to the labels of what the checker found in it."""
    inbound = [str(m.pk) for m in conversation if m.direction == Direction.INBOUND]
    records = CheckRecord.objects.filter(object_type="inbox.message", object_id__in=inbound)
    labels: dict[int, list[str]] = {}
    for check in records:
        categories = dict.fromkeys(finding["category"] for finding in check.findings)
        labels[int(check.object_id)] = [category_label(category) for category in categories]
    return labels


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_by_id(_user(request), case_id)
    if request.headers.get("HX-Request") == "true":
        # The page asks every little while who else is reading; that is not a new reading.
        context = {"case": case, "readers": others_reading(case, _user(request))}
        return render(request, "inbox/case_routing.html#readers", context)
    # Reading a case shows a resident's words and numbers: each reading is on the record.
    record("case.viewed", case, actor=_user(request), unit=case.unit)
    mark_case_read(_user(request), case)
    return render(
        request,
        "inbox/case_detail.html",
        _case_context(request, case, _answer_form(request, case)),
    )


@login_required
@require_POST
def case_unmask(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show the case with its personal data whole, once, and put the showing on record."""
    user = _user(request)
    case = access_case_by_id(user, case_id)
    if not may_unmask(user, case):
        raise NotAllowed(
            _("Only the officers and leaders of the case's unit may see its personal data whole.")
        )
    record("case.unmasked", case, actor=user, unit=case.unit)
    context = _case_context(request, case, _answer_form(request, case), whole=True)
    response = render(request, "inbox/case_detail.html", context)
    # The whole data was shown once; a browser's cache or back button must not keep it.
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def case_unseal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show a leader who sent a sealed tip, once, for the reason they typed; audited."""
    user = _user(request)
    case = access_case_by_id(user, case_id)
    if not may_unseal(user, case):
        raise NotAllowed(_("Only leaders of the case's unit may see who sent a sealed tip."))
    form = UnsealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why you need to see the tipster and write a reason."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_unseal_tipster(case, user, **form.cleaned_data)
    except InboxError as error:
        messages.error(request, str(error))
        return redirect("inbox:case_detail", case_id=case.pk)
    context = _case_context(request, case, _answer_form(request, case), whole=True, unsealed=True)
    response = render(request, "inbox/case_detail.html", context)
    # The tipster was shown for this one reason; no cache or back button may keep it.
    add_never_cache_headers(response)
    return response


def _answer_form(request: HttpRequest, case: Case) -> AnswerForm:
    """Return the answer box, filled with a canned answer when the officer picked one."""
    picked = request.GET.get("canned", "")
    canned = canned_answers_for_case(case).filter(pk=picked).first() if picked.isdigit() else None
    return AnswerForm(initial={"text": canned.text}) if canned is not None else AnswerForm()


@login_required
def canned_answers(request: HttpRequest) -> HttpResponse:
    """The canned answers a leader or the center keeps for their units; add or retire one."""
    user = _user(request)
    units = units_for(user, CANNED_ANSWER_ROLES)
    form = CannedAnswerForm(units=units)
    if request.method == "POST":
        form = CannedAnswerForm(request.POST, units=units)
        if _add_canned(request, form):
            return redirect("inbox:canned_answers")
    context = {"form": form, "answers": canned_answers_kept_by(user).filter(is_active=True)}
    return render(
        request, "inbox/canned_answers.html", context, status=400 if form.errors else 200
    )


def _add_canned(request: HttpRequest, form: CannedAnswerForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        do_add_canned_answer(data["unit"], data["title"], data["text"], _user(request))
    except CannedAnswerRefused as refused:
        form.add_error("text", str(refused))
        return False
    messages.success(request, _("The canned answer was saved."))
    return True


@login_required
@require_POST
def canned_answer_retire(request: HttpRequest, canned_id: int) -> HttpResponse:
    canned = get_object_or_404(canned_answers_kept_by(_user(request)), pk=canned_id)
    do_retire_canned_answer(canned, _user(request))
    messages.success(request, _("The canned answer is no longer offered."))
    return redirect("inbox:canned_answers")


@login_required
@require_POST
def case_answer(request: HttpRequest, case_id: int) -> HttpResponse:
    """Send an answer back on the case's channel (through the outbox)."""
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    form = AnswerForm(request.POST)
    check: dict[str, object] | None = None
    if form.is_valid():
        text = form.cleaned_data["text"]
        try:
            do_answer_case(
                case,
                _user(request),
                text,
                resolve=form.cleaned_data["resolve"],
                confirmed=form.cleaned_data["confirm_findings"],
                to_merged=form.cleaned_data["to_merged"],
                submission=form.cleaned_data["submission"] or "",
            )
        except AnswerHeldBack as held:
            form.add_error(None, str(held))
            check = result_data(text, held.result)
        except InboxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your answer is on its way to the resident."))
            return redirect("inbox:case_detail", case_id=case.pk)
    context = _case_context(request, case, form) | {"check": check}
    return render(request, "inbox/case_detail.html", context, status=400)


@login_required
@require_POST
def case_status(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_change_case_status(case, _user(request), form.cleaned_data["status"])
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Status changed."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_type(request: HttpRequest, case_id: int) -> HttpResponse:
    """An officer sets the case's type; corrections train the next classifier."""
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    form = TypeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a type from the list."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_set_case_type(case, _user(request), form.cleaned_data["case_type"])
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The type was saved."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_emergency_seen(request: HttpRequest, case_id: int) -> HttpResponse:
    """The officer has seen the emergency; it leaves the alert banner of every colleague."""
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    try:
        do_acknowledge_emergency(case, _user(request))
    except InboxError as error:
        messages.error(request, str(error))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_extend(request: HttpRequest, case_id: int) -> HttpResponse:
    """Extend the deadline within the type's limit; the reason is required and kept."""
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of working days and a reason."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_extend_deadline(
            case, _user(request), form.cleaned_data["days"], form.cleaned_data["reason"]
        )
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The deadline was extended."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    """Give the case to a person of its unit, or take it back from them."""
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    form = AssignForm(request.POST, unit=case.unit)
    if not form.is_valid():
        messages.error(request, _("Choose a person from the list."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_assign_case(case, _user(request), form.cleaned_data["assignee"])
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The case was assigned."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_transfer(request: HttpRequest, case_id: int) -> HttpResponse:
    """Ask another unit to take the case; it stays here until they accept."""
    case = access_case_by_id(_user(request), case_id)
    check_may_transfer(_user(request), case)
    form = TransferForm(request.POST, case_unit=case.unit)
    if not form.is_valid():
        messages.error(request, _("Choose a unit and give a reason."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_request_transfer(
            case, _user(request), form.cleaned_data["to_unit"], form.cleaned_data["reason"]
        )
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The other unit was asked to take the case."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def transfer_accept(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    case = access_case_by_id(_user(request), case_id)
    transfer = access_transfer_by_id(_user(request), case, transfer_id)
    check_may_decide(_user(request), transfer)
    try:
        do_accept_transfer(transfer, _user(request))
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your unit has taken over the case."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
@require_POST
def transfer_decline(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    case = access_case_by_id(_user(request), case_id)
    transfer = access_transfer_by_id(_user(request), case, transfer_id)
    check_may_decide(_user(request), transfer)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("inbox:case_detail", case_id=case.pk)
    try:
        do_decline_transfer(transfer, _user(request), form.cleaned_data["reason"])
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The request was declined; the case stays where it was."))
    # Declining usually ends the decider's sight of the case, so they go back to the list.
    if _still_visible(request, case.pk):
        return redirect("inbox:case_detail", case_id=case.pk)
    return redirect("inbox:case_list")


def _still_visible(request: HttpRequest, case_id: int) -> bool:
    return cases_for(_user(request)).filter(pk=case_id).exists()


@login_required
@require_POST
def case_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one change to many ticked cases: all of them, or none with the reason why."""
    user = _user(request)
    form = BulkForm(request.POST, people=_people_of(user))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(str(item) for item in error))
        return redirect("/inbox/?select=1")
    data = form.cleaned_data
    change = BulkChange(
        assignee=data["assignee"] if data["action"] == "assign" else None,
        status=data["status"] if data["action"] == "status" else "",
        case_type=data["case_type"] if data["action"] == "type" else "",
    )
    try:
        count = do_bulk_change(user, data["cases"], change)
    except InboxError as error:
        messages.error(request, str(error))
        return redirect("/inbox/?select=1")
    messages.success(request, _("%(count)s cases were changed.") % {"count": count})
    return redirect("inbox:case_list")


@login_required
def duty_roster(request: HttpRequest) -> HttpResponse:
    """Who is on duty in the user's units over the next two weeks; leaders change it."""
    user = _user(request)
    led = units_for(user, {Role.LEADER})
    form = DutyForm(units=led)
    if request.method == "POST":
        form = DutyForm(request.POST, units=led)
        if _add_shift(request, form):
            return redirect("inbox:duty_roster")
    units = list(units_for(user, CASE_ROLES))
    today = local_day(units[0]) if units else timezone.localdate()
    shifts = DutyShift.objects.filter(
        unit__in=units, day__gte=today, day__lt=today + timedelta(days=DUTY_DAYS_AHEAD)
    ).select_related("unit", "user")
    context = {
        "form": form,
        "shifts": shifts,
        "led_ids": set(led.values_list("pk", flat=True)),
        "led_units": list(led),
    }
    return render(request, "inbox/duty_roster.html", context, status=400 if form.errors else 200)


def _add_shift(request: HttpRequest, form: DutyForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        do_add_duty_shift(data["unit"], data["user"], data["day"], _user(request))
    except DutyError as error:
        form.add_error("user", str(error))
        return False
    messages.success(request, _("The duty was added."))
    return True


@login_required
@require_POST
def duty_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    led = units_for(_user(request), {Role.LEADER})
    shift = get_object_or_404(DutyShift.objects.filter(unit__in=led), pk=shift_id)
    do_remove_duty_shift(shift, _user(request))
    messages.success(request, _("The duty was removed."))
    return redirect("inbox:duty_roster")


@login_required
@require_POST
def duty_round_robin(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Turn on or off giving new cases in turn to the unit's duty officers."""
    led = units_for(_user(request), {Role.LEADER})
    unit: Unit = get_object_or_404(led, pk=unit_id)
    do_set_round_robin(unit, request.POST.get("enabled") == "1", _user(request))
    messages.success(request, _("The setting was saved."))
    return redirect("inbox:duty_roster")


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    """Ask the worker for a CSV of the cases the user may export; its job page follows."""
    if not may_export(_user(request)):
        raise PermissionDenied("The policy table gives this person no right to export")
    if request.method == "POST":
        try:
            job = do_start_job(_user(request), CASE_EXPORT)
        except JobRefused as refusal:
            messages.error(request, str(refusal))
            return render(request, "inbox/case_export.html", status=429)
        return redirect("jobs:detail", job.pk)
    return render(request, "inbox/case_export.html")


def _follow_ups_shown(case: Case, *, whole: bool) -> list[tuple[FollowUp, str]]:
    # Notes name the parties and their addresses; they are masked like the messages.
    follow_ups = case.follow_ups.select_related("recorded_by").order_by("happened_on", "pk")
    return [(entry, entry.note if whole else conceal(entry.note)) for entry in follow_ups]


@login_required
@require_POST
def duplicate_merge(request: HttpRequest, case_id: int, proposal_id: int) -> HttpResponse:
    """Merge a proposed duplicate: the chosen case is kept, the other closed into it."""
    user = _user(request)
    case = access_case_by_id(user, case_id)
    check_may_work_on(user, case)
    proposal = access_proposal_by_id(user, case, proposal_id)
    keep = request.POST.get("keep", "")
    try:
        kept = do_merge_cases(proposal, user, int(keep) if keep.isdigit() else 0)
    except InboxError as error:
        messages.error(request, str(error))
        return redirect("inbox:case_detail", case_id=case.pk)
    messages.success(request, _("The cases are merged."))
    return redirect("inbox:case_detail", case_id=kept.pk)


@login_required
@require_POST
def case_follow_up(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record a mediation session, visit or call on a dispute."""
    case = access_case_by_id(_user(request), case_id)
    check_may_work_on(_user(request), case)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give what happened, its outcome, the day and a short note."))
        return redirect("inbox:case_detail", case_id=case.pk)
    given = FollowUpInput(**form.cleaned_data)
    try:
        do_record_follow_up(case, _user(request), given)
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The follow-up was recorded."))
    return redirect("inbox:case_detail", case_id=case.pk)


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """The follow-ups of disputes that are due or coming up in the user's units."""
    today = timezone.localdate()
    due = list(follow_ups_due(_user(request), today))
    sections = [
        (
            _("Due"),
            [entry for entry in due if entry.next_on and entry.next_on <= today],
            _("No follow-up is due."),
        ),
        (
            _("In the next seven days"),
            [entry for entry in due if entry.next_on and entry.next_on > today],
            _("Nothing planned for the coming week."),
        ),
    ]
    return render(request, "inbox/follow_up_list.html", {"sections": sections})


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, case_id: int, proposal_id: int) -> HttpResponse:
    """Dismiss a proposed duplicate: the two cases are different matters."""
    user = _user(request)
    case = access_case_by_id(user, case_id)
    check_may_work_on(user, case)
    proposal = access_proposal_by_id(user, case, proposal_id)
    try:
        do_dismiss_proposal(proposal, user)
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The proposal is dismissed."))
    return redirect("inbox:case_detail", case_id=case.pk)
