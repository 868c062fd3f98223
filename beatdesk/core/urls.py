from django.urls import path

from beatdesk.core import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/file/", views.job_download, name="download"),
]
