from django.urls import path

from beatdesk.channels.onebot.views import onebot_hook
from beatdesk.channels.qqbot.views import qqbot_hook
from beatdesk.channels.views import (
    alert_bindings,
    binding_code,
    matrix_guide,
    matrix_import,
    matrix_sample,
    remove_binding,
)
from beatdesk.channels.wechat.views import wechat_hook
from beatdesk.channels.weibo import post_views
from beatdesk.channels.weibo.views import weibo_hook

app_name = "channels"

urlpatterns = [
    # The trailing slash is part of the address configured at WeChat; a redirect there
    # breaks verification, so both spellings are served.
    path("wechat/<slug:code>/", wechat_hook, name="wechat_hook"),
    path("wechat/<slug:code>", wechat_hook),
    # NapCat and Lagrange post without following redirects, so the same holds for OneBot.
    path("onebot/<slug:code>/", onebot_hook, name="onebot_hook"),
    path("onebot/<slug:code>", onebot_hook),
    # The QQ bot platform checks the address it is given and may not follow redirects.
    path("qqbot/<slug:code>/", qqbot_hook, name="qqbot_hook"),
    path("qqbot/<slug:code>", qqbot_hook),
    # Weibo's fan-service platform is configured like WeChat: both spellings are served.
    path("weibo/<slug:code>/", weibo_hook, name="weibo_hook"),
    path("weibo/<slug:code>", weibo_hook),
]

# The matrix page, for operators and system administrators (mounted at /matrix/).
matrix_urlpatterns = [
    path("import/", matrix_import, name="import"),
    path("guide/", matrix_guide, name="guide"),
    path("sample.csv", matrix_sample, name="sample"),
]

# Posts through the accounts a person operates (mounted at /posts/). Only Weibo takes
# posts from Beatdesk so far, so its adapter serves these pages.
post_urlpatterns = [
    path("", post_views.post_list, name="list"),
    path("accounts/<slug:code>/write/", post_views.post_write, name="write"),
    path("<int:post_id>/", post_views.post_detail, name="detail"),
    path("<int:post_id>/published/", post_views.post_published, name="published"),
    path("<int:post_id>/abandon/", post_views.post_abandon, name="abandon"),
]

# Each person's own alerts page (mounted at /me/alerts/).
binding_urlpatterns = [
    path("", alert_bindings, name="alerts"),
    path("code/", binding_code, name="binding_code"),
    path("<int:binding_id>/remove/", remove_binding, name="remove_binding"),
]
