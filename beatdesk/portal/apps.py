from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "beatdesk.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        # The portal registers itself as a channel, so the outbox and the sweep find it.
        from beatdesk.portal import adapter  # noqa: F401
