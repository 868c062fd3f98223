from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckerConfig(AppConfig):
    name = "beatdesk.checker"
    label = "checker"
    verbose_name = _("Content checker")
