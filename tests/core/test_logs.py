"""Log lines carry an unambiguous time, and the worker prints each line once."""

import logging
import time

from beatdesk.core.logs import UTCFormatter


def _record_at(epoch: float) -> logging.LogRecord:
    record = logging.LogRecord("beatdesk.test", logging.INFO, __file__, 1, "hello", None, None)
    record.created = epoch
    record.msecs = (epoch - int(epoch)) * 1000
    return record


def test_a_log_line_is_stamped_in_utc_whatever_the_process_zone() -> None:
    # 2026-12-04 08:30:00.250 UTC is 16:30 in Shanghai, the zone Django gives the process.
    epoch = 1796373000.25
    assert time.localtime(epoch).tm_hour != time.gmtime(epoch).tm_hour

    line = UTCFormatter("%(asctime)s %(message)s").format(_record_at(epoch))

    assert line == "2026-12-04T08:30:00.250Z hello"


def test_the_configured_console_handler_uses_the_utc_stamp() -> None:
    assert any(isinstance(handler.formatter, UTCFormatter) for handler in _consoles("root"))


def test_huey_keeps_our_handler_so_its_consumer_adds_no_second_one() -> None:
    huey = logging.getLogger("huey")

    # run_huey only installs its own handler on a logger that has none.
    assert huey.propagate is False
    assert [type(handler.formatter) for handler in _consoles("huey")] == [UTCFormatter]


def _consoles(name: str) -> list[logging.Handler]:
    # pytest hangs capture handlers of its own beside ours; only stream handlers print.
    logger = logging.getLogger(None if name == "root" else name)
    return [handler for handler in logger.handlers if type(handler) is logging.StreamHandler]
