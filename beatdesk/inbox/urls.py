from django.urls import path

from beatdesk.inbox import verification_views, views

app_name = "inbox"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("bulk/", views.case_bulk, name="case_bulk"),
    path("export/", views.case_export, name="case_export"),
    path("alerts/", views.emergency_alerts, name="emergency_alerts"),
    path("duty/", views.duty_roster, name="duty_roster"),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("canned/", views.canned_answers, name="canned_answers"),
    path("canned/<int:canned_id>/retire/", views.canned_answer_retire, name="canned_retire"),
    path("duty/<int:shift_id>/remove/", views.duty_remove, name="duty_remove"),
    path("duty/units/<int:unit_id>/turns/", views.duty_round_robin, name="duty_round_robin"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/answer/", views.case_answer, name="case_answer"),
    path("cases/<int:case_id>/unmask/", views.case_unmask, name="case_unmask"),
    path("cases/<int:case_id>/status/", views.case_status, name="case_status"),
    path("cases/<int:case_id>/verify/", verification_views.case_verify, name="case_verify"),
    path("cases/<int:case_id>/seal/", verification_views.case_seal, name="case_seal"),
    path("cases/<int:case_id>/unseal/", views.case_unseal, name="case_unseal"),
    path("cases/<int:case_id>/type/", views.case_type, name="case_type"),
    path("cases/<int:case_id>/extend/", views.case_extend, name="case_extend"),
    path("cases/<int:case_id>/follow-ups/", views.case_follow_up, name="case_follow_up"),
    path("cases/<int:case_id>/seen/", views.case_emergency_seen, name="case_emergency_seen"),
    path("cases/<int:case_id>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:case_id>/transfer/", views.case_transfer, name="case_transfer"),
    path(
        "cases/<int:case_id>/transfers/<int:transfer_id>/accept/",
        views.transfer_accept,
        name="transfer_accept",
    ),
    path(
        "cases/<int:case_id>/transfers/<int:transfer_id>/decline/",
        views.transfer_decline,
        name="transfer_decline",
    ),
    path(
        "cases/<int:case_id>/duplicates/<int:proposal_id>/merge/",
        views.duplicate_merge,
        name="duplicate_merge",
    ),
    path(
        "cases/<int:case_id>/duplicates/<int:proposal_id>/dismiss/",
        views.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
]
