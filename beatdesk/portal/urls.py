from django.urls import path

from beatdesk.portal import views

app_name = "portal"

urlpatterns = [
    path("track/", views.track, name="track"),
    path("track/rate/", views.track_rate, name="track_rate"),
    path("track/reopen/", views.track_reopen, name="track_reopen"),
    path("write/", views.write, name="write"),
    path("portal/photos/<int:photo_id>/", views.photo, name="photo"),
]
