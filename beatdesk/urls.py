from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from beatdesk.channels.urls import binding_urlpatterns, matrix_urlpatterns, post_urlpatterns
from beatdesk.checker.urls import api_urlpatterns
from beatdesk.core.views import healthz, home
from beatdesk.units.views import SignInView, admin_sign_in, code_step, enrol_step

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("login/", SignInView.as_view(), name="login"),
    path("login/code/", code_step, name="login-code"),
    path("login/enrol/", enrol_step, name="login-enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", include("beatdesk.inbox.urls")),
    path("checker/", include("beatdesk.checker.urls")),
    path("reports/", include("beatdesk.reports.urls")),
    path("api/", include((api_urlpatterns, "api"))),
    path("hooks/", include("beatdesk.channels.urls")),
    path("matrix/", include((matrix_urlpatterns, "matrix"))),
    path("posts/", include((post_urlpatterns, "posts"))),
    path("jobs/", include("beatdesk.core.urls")),
    path("me/alerts/", include((binding_urlpatterns, "me"))),
    # The public portal: /track/, /write/ and the photos staff open from a case.
    path("", include("beatdesk.portal.urls")),
    path("open311/v2/", include("beatdesk.portal.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own sign-in would skip the second step; it sends people to ours instead.
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
]

# Errors answer with a stable code, in the reader's language and the address's own format.
handler400 = "beatdesk.errors.bad_request"
handler403 = "beatdesk.errors.permission_denied"
handler404 = "beatdesk.errors.page_not_found"
handler500 = "beatdesk.errors.server_error"
