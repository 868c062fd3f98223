from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "beatdesk.inbox"
    label = "inbox"
    verbose_name = _("Inbox and cases")

    def ready(self) -> None:
        # The case export registers its kind of job when its module is imported.
        from beatdesk.inbox import exports  # noqa: F401
