from django.urls import re_path

from beatdesk.portal.open311 import views

app_name = "open311"

FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^services" + FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<code>[a-z_]{1,32})" + FORMAT, views.service_definition),
    re_path(r"^requests" + FORMAT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<public_id>[a-z0-9]{1,16})" + FORMAT, views.service_request),
]
