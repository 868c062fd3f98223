"""Log lines stamped in UTC with the zone written out, and refused requests kept to one line."""

import logging
import time


class UTCFormatter(logging.Formatter):
    """Stamp each record as 2026-12-04T08:30:00.123Z whatever the host's time zone is.

    Django sets the process's zone to TIME_ZONE (Asia/Shanghai), so a plain stamp reads as
    local time with no offset, and lines from a worker and a proxy in UTC would disagree.
    """

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def converter(self, seconds: float | None) -> time.struct_time:
        return time.gmtime(seconds)


class WithoutTraceback(logging.Filter):
    """Keep the one line Django logs for a refused request, and drop its traceback.

    A flood of oversized forms is an attacker's doing, not a bug: a traceback per request
    fills the logs and says nothing the line does not.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
