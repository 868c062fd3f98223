"""Staff sign-in in two steps, password then a one-time code, with lockout.

Five failures (a wrong password or a wrong code) lock a name for 15 minutes, twenty lock
an address. Between the steps nobody is signed in: the session holds only who passed the
password and when, for five minutes. A user with no confirmed authenticator is taken from
the password step to enrolment, and is signed in only once a first code matches.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from beatdesk.core.ratelimit import (
    FAILED_SIGN_INS_PER_ADDRESS,
    FAILED_SIGN_INS_PER_NAME,
    clear,
    client_address,
    exceeded,
    note,
)
from beatdesk.units import second_factor
from beatdesk.units.models import User

logger = logging.getLogger(__name__)


class SignInView(auth_views.LoginView):
    """Django's sign-in, refusing to even check a password while a lockout lasts.

    The cool-off is the limit's window (15 minutes). A correct password clears the name's
    failures; an address keeps its count, so spraying one password over many names stops.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = request.POST.get("username", "").strip().lower()[:150]
        address = client_address(request)
        if exceeded(FAILED_SIGN_INS_PER_NAME, name) or exceeded(
            FAILED_SIGN_INS_PER_ADDRESS, address
        ):
            logger.warning("sign-in refused during lockout")
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed sign-ins. Wait 15 minutes, then try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)

        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            note(FAILED_SIGN_INS_PER_NAME, name)
            note(FAILED_SIGN_INS_PER_ADDRESS, address)
        elif not settings.REQUIRE_SECOND_FACTOR:
            clear(FAILED_SIGN_INS_PER_NAME, name)
        return response

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        if not settings.REQUIRE_SECOND_FACTOR:
            return super().form_valid(form)
        # The password was right, but the name's failures stay counted until a code is:
        # knowing the password must not reset the guesses left at the code.
        user = form.get_user()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        step = "login-code" if second_factor.is_enrolled(user) else "login-enrol"
        return redirect(step)


PENDING_KEY = "beatdesk.pending_sign_in"
PENDING_SECONDS = 300


@dataclass(frozen=True)
class Pending:
    user: User
    next_url: str


def _pending(request: HttpRequest) -> Pending | None:
    """Return who passed the password step in this session in the last five minutes."""
    value = request.session.get(PENDING_KEY)
    if not isinstance(value, dict) or time.time() - value.get("at", 0) > PENDING_SECONDS:
        return None
    user_id = value.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    next_url = str(value.get("next", ""))
    safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
    return Pending(user, next_url if safe else reverse("inbox:list"))


def _locked(request: HttpRequest, user: User) -> bool:
    name = user.username.lower()
    return exceeded(FAILED_SIGN_INS_PER_NAME, name) or exceeded(
        FAILED_SIGN_INS_PER_ADDRESS, client_address(request)
    )


def _finish(request: HttpRequest, pending: Pending) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    clear(FAILED_SIGN_INS_PER_NAME, pending.user.username.lower())
    auth_login(request, pending.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return HttpResponseRedirect(pending.next_url)


def _failed(request: HttpRequest, user: User) -> None:
    note(FAILED_SIGN_INS_PER_NAME, user.username.lower())
    note(FAILED_SIGN_INS_PER_ADDRESS, client_address(request))
    logger.warning("sign-in code refused")


def code_step(request: HttpRequest) -> HttpResponse:
    """Second step: the six-digit code from the officer's authenticator app."""
    pending = _pending(request)
    if pending is None:
        return redirect("login")
    if not second_factor.is_enrolled(pending.user):
        return redirect("login-enrol")
    context: dict[str, object] = {"error": ""}
    status = 200
    if request.method == "POST":
        if _locked(request, pending.user):
            context["error"] = _("Too many failed sign-ins. Wait 15 minutes, then try again.")
            status = 429
        elif second_factor.accept_code(pending.user, request.POST.get("code", "")):
            return _finish(request, pending)
        else:
            _failed(request, pending.user)
            context["error"] = _("That code did not match. Type the code your app shows now.")
            status = 400
    return render(request, "registration/code.html", context, status=status)


def enrol_step(request: HttpRequest) -> HttpResponse:
    """First sign-in: show a new secret for the authenticator app, then confirm one code."""
    pending = _pending(request)
    if pending is None:
        return redirect("login")
    if second_factor.is_enrolled(pending.user):
        return redirect("login-code")
    secret = second_factor.enrolment_secret(pending.user)
    context: dict[str, object] = {
        "error": "",
        "secret": second_factor.grouped(secret),
        "qr_svg": second_factor.qr_svg(second_factor.provisioning_uri(pending.user, secret)),
    }
    status = 200
    if request.method == "POST":
        if _locked(request, pending.user):
            context["error"] = _("Too many failed sign-ins. Wait 15 minutes, then try again.")
            status = 429
        elif second_factor.confirm(pending.user, request.POST.get("code", "")):
            return _finish(request, pending)
        else:
            _failed(request, pending.user)
            context["error"] = _(
                "That code did not match. Check the key you typed, then try again."
            )
            status = 400
    return render(request, "registration/enrol.html", context, status=status)


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Send the admin's sign-in to the two-step one, keeping where the person was going."""
    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/admin/"
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': target})}")
