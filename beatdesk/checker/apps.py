from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckerConfig(AppConfig):
    name = "beatdesk.checker"
    label = "checker"
    verbose_name = _("Content checker")

    def ready(self) -> None:
        # The lexicon import registers its kind of job when its module is imported.
        from beatdesk.checker import lexicon_jobs  # noqa: F401
