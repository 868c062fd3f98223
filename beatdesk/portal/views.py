"""The public portal: residents write to a station and follow their case by tracking code."""

import logging
import unicodedata
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beatdesk.channels.deliveries import ACK_BEFORE_COMMIT, AnsweredBeforeCommit, fault_is_on
from beatdesk.channels.models import Account, ChannelKind, DeliveryStatus, InboundDelivery
from beatdesk.core.ratelimit import (
    PORTAL_SUBMISSIONS,
    TRACKING_LOOKUPS,
    client_address,
    exceeded,
    note,
)
from beatdesk.inbox.actions import InboxError, do_reopen_case_by_resident
from beatdesk.inbox.models import Case, CaseRating, Direction, Message, RatingChannel
from beatdesk.inbox.ratings import RATING_WINDOW, RatingRefused, do_rate_case, is_rateable
from beatdesk.inbox.reopening import may_reopen, reopen_period
from beatdesk.inbox.reporters import merged_onward
from beatdesk.portal.access import access_photo_by_id
from beatdesk.portal.actions import do_store_submission, portal_account_for
from beatdesk.portal.adapter import process_delivery
from beatdesk.portal.forms import RatingForm, WriteForm
from beatdesk.portal.humancheck import HONEYPOT_FIELD, HumanCheckFailed, issue_token, verify
from beatdesk.portal.photos import MAX_PHOTO_BYTES, MAX_PHOTOS, CleanPhoto
from beatdesk.portal.submissions import PayloadError, Submission, parse_submission
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

# Three full-size photos and the text fields; anything larger is refused unread.
MAX_SUBMISSION_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024


def _normalised(code: str) -> str:
    # Phones type full-width letters in Chinese input mode; NFKC makes them ASCII.
    code = unicodedata.normalize("NFKC", code[:64])
    return "".join(code.split()).replace("-", "").upper()[:16]


def track(request: HttpRequest) -> HttpResponse:
    """Show a case's status and the officers' answers to whoever holds its tracking code."""
    code = _normalised(request.GET.get("code", ""))
    client = client_address(request)
    if code and exceeded(TRACKING_LOOKUPS, client):
        # Codes are short enough to guess given enough tries; wrong guesses are counted.
        context: dict[str, object] = {"code": "", "case": None, "searched": False, "limited": True}
        return render(request, "portal/track.html", context, status=429)
    case = Case.objects.select_related("unit").filter(tracking_code=code).first() if code else None
    context = {"code": code, "case": case, "searched": bool(code)}
    if case is not None:
        context |= _follow_up_context(case)
    elif code:
        note(TRACKING_LOOKUPS, client)
        logger.info("portal tracking code not found")
    status = 404 if code and case is None else 200
    return render(request, "portal/track.html", context, status=status)


def _answers(case: Case) -> list[Message]:
    """Return what officers wrote to the resident: the resident's own words stay private.

    Only what was written to this case's own resident counts. Cases merged into this one
    brought their residents' answers here, and answers to them are written here too; none
    of them is this resident's. After this case was itself merged, its answers moved to
    the kept case, and answers to this resident are written there; merges may chain, so
    every case onward counts.
    """
    cases = [case.pk]
    if case.merged_into_id:
        cases += [kept.pk for kept in merged_onward(case)]
    mine = Q(case_id__in=cases, resident_id=case.resident_id)
    return list(
        Message.objects.filter(mine, direction=Direction.OUTBOUND, is_automatic=False)
        .select_related("outbox")
        .order_by("sent_at", "id")
    )


def _follow_up_context(case: Case) -> dict[str, object]:
    """What the tracking page offers once a case is answered: a rating and a way back."""
    now = timezone.now()
    closed_at = case.closed_at or now
    return {
        "answers": _answers(case),
        "rating": CaseRating.objects.filter(case=case).first(),
        "may_rate": is_rateable(case, now),
        "rate_until": closed_at + RATING_WINDOW,
        "rating_form": RatingForm(),
        "may_reopen": may_reopen(case, now),
        "reopen_until": closed_at + reopen_period(),
    }


def _tracked(request: HttpRequest, code: str) -> Case | HttpResponse:
    """Return the case a posted tracking code names, or the page that says why not."""
    client = client_address(request)
    if exceeded(TRACKING_LOOKUPS, client):
        context: dict[str, object] = {"code": "", "case": None, "searched": False, "limited": True}
        return render(request, "portal/track.html", context, status=429)
    case = Case.objects.filter(tracking_code=code).first() if code else None
    if case is None:
        note(TRACKING_LOOKUPS, client)
        context = {"code": code, "case": None, "searched": True}
        return render(request, "portal/track.html", context, status=404)
    return case


def _back_to(code: str) -> HttpResponse:
    return redirect(f"{reverse('portal:track')}?{urlencode({'code': code})}")


@require_POST
def track_rate(request: HttpRequest) -> HttpResponse:
    """Keep the resident's rating of their answered case (form on the tracking page)."""
    code = _normalised(request.POST.get("code", ""))
    case = _tracked(request, code)
    if isinstance(case, HttpResponse):
        return case
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a rating from 1 to 5."))
        return _back_to(code)
    try:
        do_rate_case(case, form.cleaned_data["score"], RatingChannel.PORTAL)
    except RatingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Thank you for your rating."))
    return _back_to(code)


@require_POST
def track_reopen(request: HttpRequest) -> HttpResponse:
    """Reopen the resident's closed case because the matter is not settled."""
    code = _normalised(request.POST.get("code", ""))
    case = _tracked(request, code)
    if isinstance(case, HttpResponse):
        return case
    try:
        do_reopen_case_by_resident(case)
    except InboxError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Your matter is open again; an officer will answer you."))
    return _back_to(code)


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keep every upload in memory, whatever its size: an original photo with its GPS
    position must never touch the disk. The body's size is bounded before parsing."""

    def handle_raw_input(self, *args: object, **kwargs: object) -> None:
        self.activated = True


@csrf_exempt
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest) -> HttpResponse:
    """Show the write form, or receive what a resident sent with it."""
    # The upload handlers can only be chosen before the body is read, and the CSRF check
    # reads it; so the check runs inside, once the handlers are in place.
    if request.method == "POST":
        if _too_large(request):
            return _form_page(request, WriteForm(), status=413, problem="too_large")
        request.upload_handlers = [InMemoryUploadHandler(request)]
    return _write(request)


def _too_large(request: HttpRequest) -> bool:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    return not declared.isdigit() or int(declared) > MAX_SUBMISSION_BYTES


@csrf_protect
def _write(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        station = request.GET.get("station", "")[:64]
        return _form_page(request, WriteForm(initial={"station": station}))
    return _receive(request)


def _form_page(
    request: HttpRequest, form: WriteForm, *, status: int = 200, problem: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "token": issue_token(),
        "honeypot": HONEYPOT_FIELD,
        "problem": problem,
        "max_photos": MAX_PHOTOS,
    }
    return render(request, "portal/write.html", context, status=status)


def _refilled(request: HttpRequest) -> WriteForm:
    """Return an unbound form holding what the resident typed, to send again."""
    fields = ["station", "place", "case_type", "text", "name", "phone", "anonymous"]
    return WriteForm(initial={name: request.POST.get(name, "") for name in fields})


def _receive(request: HttpRequest) -> HttpResponse:
    resent = _answer_resent(request)
    if resent is not None:
        # A resend of a stored form opens nothing new, so the address is not charged for it:
        # a resident on a bad connection sends again until the page answers.
        return resent
    client = client_address(request)
    if exceeded(PORTAL_SUBMISSIONS, client):
        logger.info("portal submission refused reason=rate_limit")
        return _form_page(request, _refilled(request), status=429, problem="limited")
    note(PORTAL_SUBMISSIONS, client)

    try:
        token = verify(request.POST.get("token", ""), request.POST.get(HONEYPOT_FIELD, ""))
    except HumanCheckFailed as failed:
        logger.info("portal submission refused reason=human_check expired=%s", failed.expired)
        return _form_page(request, _refilled(request), status=400, problem=str(failed))

    form = WriteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    return _store_and_answer(request, form, f"web:{token.nonce}")


def _answer_resent(request: HttpRequest) -> HttpResponse | None:
    """Answer a form that is already stored as its first sending was; None for any other."""
    try:
        token = verify(request.POST.get("token", ""), request.POST.get(HONEYPOT_FIELD, ""))
    except HumanCheckFailed:
        return None
    key = f"web:{token.nonce}"
    stored = InboundDelivery.objects.filter(delivery_key=key, account__kind=ChannelKind.PORTAL)
    if not stored.exists():
        return None
    # Photos are re-encoded to be compared, which costs real time: a resend with photos
    # is charged like a new form, so nobody can have that work done without limit.
    if any(upload.size for upload in request.FILES.getlist("photos")):
        return None
    form = WriteForm(request.POST, request.FILES)
    if not form.is_valid():
        return None
    return _store_and_answer(request, form, key)


def _store_and_answer(request: HttpRequest, form: WriteForm, key: str) -> HttpResponse:
    station = form.cleaned_data["station"]
    account = portal_account_for(station)
    submission = form.submission(timezone.now())
    elsewhere = InboundDelivery.objects.filter(
        delivery_key=key, account__kind=ChannelKind.PORTAL
    ).exclude(account=account)
    if elsewhere.exists():
        return _form_page(request, _refilled(request), status=409, problem="already_sent")

    if fault_is_on(ACK_BEFORE_COMMIT):
        return _receipt_before_commit(request, account, key, submission, form.photos)
    stored = do_store_submission(account, key, submission, form.photos)
    if not stored.is_new and not _same(stored.delivery, submission):
        return _form_page(request, _refilled(request), status=409, problem="already_sent")
    reply = _hand_over(stored.delivery)
    return _receipt(request, stored.delivery, reply)


def _receipt_before_commit(
    request: HttpRequest,
    account: Account,
    key: str,
    submission: Submission,
    photos: list[CleanPhoto],
) -> HttpResponse:
    """The trust harness's deliberate fault: the receipt goes out before anything is stored."""

    def store_and_hand_over() -> None:
        _hand_over(do_store_submission(account, key, submission, photos).delivery)

    context = {"case": None, "station": account.unit, "reply": "", "pending": True}
    page = render_to_string("portal/sent.html", context, request)
    return AnsweredBeforeCommit(store_and_hand_over, page, 200, "text/html; charset=utf-8")


def _same(delivery: InboundDelivery, submission: Submission) -> bool:
    try:
        return parse_submission(delivery.payload).same_content(submission)
    except PayloadError:
        return False


def _hand_over(delivery: InboundDelivery) -> str:
    """Give the stored submission to the inbox; a failure leaves it to the minute sweep."""
    try:
        return process_delivery(delivery)
    except Exception:
        # Stored and committed: the resident is told it arrived, and the sweep finishes it.
        logger.exception("portal submission processing failed delivery=%s", delivery.pk)
        return ""


def _receipt(request: HttpRequest, delivery: InboundDelivery, reply: str) -> HttpResponse:
    delivery.refresh_from_db()
    message = Message.objects.filter(delivery=delivery).select_related("case__unit").first()
    context = {
        "case": message.case if message else None,
        "station": delivery.account.unit,
        "reply": reply,
        "pending": delivery.status == DeliveryStatus.RECEIVED,
    }
    return render(request, "portal/sent.html", context)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """Serve a resident's photo to staff who may see its case; 404 to anyone else."""
    found = access_photo_by_id(_user(request), photo_id)
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    extension = found.content_type.split("/")[-1]
    response["Content-Disposition"] = f'inline; filename="photo-{found.pk}.{extension}"'
    # Staff browsers may keep it briefly; shared caches never.
    response["Cache-Control"] = "private, max-age=600"
    return response
