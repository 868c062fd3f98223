from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "beatdesk.retention"
    verbose_name = "Retention"

    def ready(self) -> None:
        # The periodic purge and the start-up check of the configured periods.
        from beatdesk.retention import checks, tasks  # noqa: F401
