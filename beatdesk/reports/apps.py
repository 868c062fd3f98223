from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "beatdesk.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The report file registers its kind of job when its module is imported.
        from beatdesk.reports import report_jobs  # noqa: F401
