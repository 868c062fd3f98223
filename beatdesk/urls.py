from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from beatdesk.checker.urls import api_urlpatterns
from beatdesk.core.views import healthz, home
from beatdesk.units.views import SignInView

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", include("beatdesk.inbox.urls")),
    path("checker/", include("beatdesk.checker.urls")),
    path("api/", include((api_urlpatterns, "api"))),
    path("hooks/", include("beatdesk.channels.urls")),
    path("track/", include("beatdesk.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
