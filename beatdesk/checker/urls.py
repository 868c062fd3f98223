from django.urls import path

from beatdesk.checker import views

app_name = "checker"

urlpatterns = [
    path("", views.checker_page, name="check"),
    path("inline/", views.check_inline, name="check_inline"),
    path("lexicons/", views.lexicon_list, name="lexicon_list"),
    path("lexicons/<str:code>/", views.lexicon_detail, name="lexicon_detail"),
]

api_urlpatterns = [
    path("check", views.api_check, name="api_check"),
    path("openapi.json", views.api_schema, name="api_schema"),
]
