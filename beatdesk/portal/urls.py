from django.urls import path

from beatdesk.portal import views

app_name = "portal"

urlpatterns = [path("", views.track, name="track")]
