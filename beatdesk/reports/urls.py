from django.urls import path

from beatdesk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.reports_page, name="reports"),
]
