"""Start a burst of requests early in a rate-limit window, so it cannot straddle two."""

import time

from beatdesk.core.ratelimit import Limit


def wait_for_fresh_window(limit: Limit, needed_seconds: float = 30.0) -> None:
    """Sleep until the current window has at least `needed_seconds` left."""
    window = limit.window.total_seconds()
    left = window - (time.time() % window)
    if left < needed_seconds:
        time.sleep(left + 0.5)
