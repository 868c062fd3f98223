from django.urls import path

from beatdesk.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/answer/", views.case_answer, name="case_answer"),
    path("cases/<int:case_id>/status/", views.case_status, name="case_status"),
    path("cases/<int:case_id>/type/", views.case_type, name="case_type"),
    path("cases/<int:case_id>/extend/", views.case_extend, name="case_extend"),
    path("cases/<int:case_id>/seen/", views.case_emergency_seen, name="case_emergency_seen"),
]
