from django.urls import path

from beatdesk.channels.onebot.views import onebot_hook
from beatdesk.channels.wechat.views import wechat_hook

app_name = "channels"

urlpatterns = [
    # The trailing slash is part of the address configured at WeChat; a redirect there
    # breaks verification, so both spellings are served.
    path("wechat/<slug:code>/", wechat_hook, name="wechat_hook"),
    path("wechat/<slug:code>", wechat_hook),
    # NapCat and Lagrange post without following redirects, so the same holds for OneBot.
    path("onebot/<slug:code>/", onebot_hook, name="onebot_hook"),
    path("onebot/<slug:code>", onebot_hook),
]
