"""Staff sign-in with lockout: five wrong passwords lock a name, twenty lock an address."""

import logging
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from beatdesk.core.ratelimit import (
    FAILED_SIGN_INS_PER_ADDRESS,
    FAILED_SIGN_INS_PER_NAME,
    clear,
    client_address,
    exceeded,
    note,
)

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
        if response.status_code == 302:
            clear(FAILED_SIGN_INS_PER_NAME, name)
        else:
            note(FAILED_SIGN_INS_PER_NAME, name)
            note(FAILED_SIGN_INS_PER_ADDRESS, address)
        return response
