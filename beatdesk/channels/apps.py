from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "beatdesk.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        # Each adapter registers itself with the registry when its module is imported, and
        # the matrix import registers its kind of job.
        from beatdesk.channels import matrix_jobs  # noqa: F401
        from beatdesk.channels.onebot import adapter as onebot_adapter  # noqa: F401
        from beatdesk.channels.onebot import tasks as onebot_tasks  # noqa: F401
        from beatdesk.channels.qqbot import adapter as qqbot_adapter  # noqa: F401
        from beatdesk.channels.wechat import adapter  # noqa: F401
        from beatdesk.channels.weibo import adapter as weibo_adapter  # noqa: F401
        from beatdesk.channels.weibo import tasks as weibo_tasks  # noqa: F401
