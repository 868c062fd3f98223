"""Officer inbox: thin views over the inbox's access functions and actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from beatdesk.audit.actions import record
from beatdesk.audit.models import AuditRecord
from beatdesk.checker.models import CheckRecord
from beatdesk.checker.presentation import category_label, result_data
from beatdesk.inbox.access import access_case_by_id, cases_for, may_work_on
from beatdesk.inbox.actions import (
    AnswerHeldBack,
    InboxError,
    do_acknowledge_emergency,
    do_answer_case,
    do_change_case_status,
    do_extend_deadline,
    do_set_case_type,
    tracking_url,
)
from beatdesk.inbox.answering import proposal_texts
from beatdesk.inbox.classification import DEPARTMENT_CONTACTS, Department, DepartmentContact
from beatdesk.inbox.forms import AnswerForm, ExtensionForm, StatusForm, TypeForm
from beatdesk.inbox.models import OPEN_STATUSES, Case, CaseStatus, Direction, Message
from beatdesk.units.models import User

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Open cases of the user's units, most urgent and newest first."""
    show_all = request.GET.get("show") == "all"
    cases = cases_for(_user(request)).select_related("resident", "unit", "assignee", "account")
    if not show_all:
        cases = cases.filter(status__in=OPEN_STATUSES)
    cases = cases.order_by("-priority", "deadline", "-last_message_at", "-id")

    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    # The open list polls itself; a poll gets only the list, not the whole page.
    template = "inbox/case_list.html"
    if request.headers.get("HX-Request") == "true":
        template += "#case-list"
    return render(request, template, {"page": page, "show_all": show_all, "now": timezone.now()})


def _case_context(request: HttpRequest, case: Case, answer_form: AnswerForm) -> dict[str, object]:
    conversation = case.resident.messages.select_related("outbox", "author").order_by(
        "sent_at", "id"
    )
    checks = _inbound_findings(conversation)
    # Readings are audited but are not part of the case's story.
    history = (
        AuditRecord.objects.filter(object_type="inbox.case", object_id=str(case.pk))
        .exclude(action="case.viewed")
        .select_related("actor")
    )
    return {
        "case": case,
        "conversation": [(message, checks.get(message.pk)) for message in conversation],
        "history": [(entry, _status_label(entry.details.get("new"))) for entry in history],
        "answer_form": answer_form,
        "status_form": StatusForm(initial={"status": case.status}),
        "type_form": TypeForm(initial={"case_type": case.case_type}),
        "extension_form": ExtensionForm(),
        "proposals": proposal_texts(case.proposals, case.unit, case.account.kind, tracking_url())
        if case.is_open
        else [],
        "type_percent": round((case.type_confidence or 0) * 100),
        "emergency_label": EMERGENCY_LABELS.get(case.emergency_reason, case.emergency_reason),
        "handover": _handover(case.handover_department),
        "may_work": may_work_on(_user(request), case),
    }


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
    # Reading a case shows a resident's words and numbers: each reading is on the record.
    record("case.viewed", case, actor=_user(request), unit=case.unit)
    return render(request, "inbox/case_detail.html", _case_context(request, case, AnswerForm()))


@login_required
@require_POST
def case_answer(request: HttpRequest, case_id: int) -> HttpResponse:
    """Send an answer back on the case's channel (through the outbox)."""
    case = access_case_by_id(_user(request), case_id)
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
