from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "beatdesk.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from beatdesk.audit.signals import record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="beatdesk-audit-sign-in")
