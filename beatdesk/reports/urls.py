from django.urls import path

from beatdesk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.reports_page, name="reports"),
    path("file/", views.report_file, name="file"),
]
