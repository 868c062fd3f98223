"""Refuse to start with retention periods shorter than the legal floor for network logs."""

from collections.abc import Sequence
from typing import Any

from django.core import checks

from beatdesk.retention.policy import RetentionSettingError, periods


@checks.register()
def retention_periods(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    try:
        periods()
    except RetentionSettingError as error:
        return [checks.Error(str(error), id="beatdesk.E301", hint="see BEATDESK_RETENTION_DAYS")]
    return []
