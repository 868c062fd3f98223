from django.urls import path

from beatdesk.channels.wechat.views import wechat_hook

app_name = "channels"

urlpatterns = [
    # The trailing slash is part of the address configured at WeChat; a redirect there
    # breaks verification, so both spellings are served.
    path("wechat/<slug:code>/", wechat_hook, name="wechat_hook"),
    path("wechat/<slug:code>", wechat_hook),
]
