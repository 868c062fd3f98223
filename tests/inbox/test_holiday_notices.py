"""A year's holiday notice is installed after release, and the deadlines waiting for it settle.

The notice used here is written for these tests (a National Day week in 2031); it is not a
State Council notice, and 2031 is far enough away that no shipped file will ever hold it.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.actions import do_set_case_type
from beatdesk.inbox.calendars import years_missing
from beatdesk.inbox.models import Case, HolidayNotice
from beatdesk.inbox.schedule import (
    forget_installed_notices,
    installed_notices,
    schedule_deadline,
)
from beatdesk.inbox.tasks import nightly_calendar_check
from tests.conftest import Cast
from tests.inbox.helpers import resident_writes

NOTICE_2031 = """# source: a notice written for Beatdesk's tests, not a State Council notice
2031-10-01\trest\t国庆节 National Day
2031-10-02\trest\t国庆节 National Day
2031-10-03\trest\t国庆节 National Day
2031-10-06\trest\t国庆节 National Day
2031-10-07\trest\t国庆节 National Day
2031-10-11\twork\t国庆节 National Day make-up working day
"""


@pytest.fixture(autouse=True)
def fresh_notices() -> Iterator[None]:
    # The schedule keeps the notices it read for minutes; each test's rollback must not
    # leave the next test with a notice that is no longer in the database.
    forget_installed_notices()
    yield
    forget_installed_notices()


def notice_file(tmp_path: Path, text: str = NOTICE_2031, name: str = "cn-2031.tsv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def complaint_before_national_day_2031(cast: Cast, account: Account, peer: WeChatPeer) -> Case:
    case = resident_writes(account, peer, "oHOLIDAY", "你们窗口的人态度太差了")
    # 10:00 Beijing on Monday 29 September 2031; a complaint has 7 working days.
    Case.objects.filter(pk=case.pk).update(opened_at=datetime(2031, 9, 29, 2, 0, tzinfo=UTC))
    case.refresh_from_db()
    do_set_case_type(case, cast.officer_a, "complaint")
    case.refresh_from_db()
    return case


def test_a_deadline_reaching_a_year_without_its_notice_counts_weekends_and_is_provisional(
    complaint_before_national_day_2031: Case,
) -> None:
    case = complaint_before_national_day_2031

    assert case.deadline_provisional
    # Weekends only: 7 working days from Monday 29 September end on Wednesday 8 October.
    assert case.deadline is not None
    assert case.deadline.date() == date(2031, 10, 8)


def test_installing_the_notice_settles_the_deadlines_that_waited_for_it(
    complaint_before_national_day_2031: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_calendar", notice_file(tmp_path))

    case = Case.objects.get(pk=complaint_before_national_day_2031.pk)
    assert not case.deadline_provisional
    # Five rest days of the week, one make-up Saturday: due on Tuesday 14 October.
    assert case.deadline is not None and case.deadline.date() == date(2031, 10, 14)
    out = capsys.readouterr().out
    assert "installed cn-2031 (6 special days)" in out
    assert "1 provisional deadlines are now final" in out
    [audit] = AuditRecord.objects.filter(action="calendar.installed")
    assert audit.details == {
        "calendar": "cn",
        "year": 2031,
        "special_days": 6,
        "replaced": False,
    }


def test_a_case_arriving_after_the_install_gets_a_final_deadline_at_once(
    cast: Cast, account: Account, peer: WeChatPeer, tmp_path: Path
) -> None:
    call_command("import_calendar", notice_file(tmp_path))
    case = resident_writes(account, peer, "oLATER", "我要投诉噪音扰民")
    Case.objects.filter(pk=case.pk).update(opened_at=datetime(2031, 9, 29, 2, 0, tzinfo=UTC))
    case.refresh_from_db()

    do_set_case_type(case, cast.officer_a, "complaint")

    case.refresh_from_db()
    assert not case.deadline_provisional
    assert case.deadline is not None and case.deadline.date() == date(2031, 10, 14)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("calendar-2031.txt", NOTICE_2031, "name the file"),
        ("cn-2031.tsv", NOTICE_2031.replace("# source:", "# from:"), "must name the notice"),
        ("cn-2031.tsv", NOTICE_2031.replace("2031-10-11", "2031-10-08"), "is a weekday"),
        ("cn-2031.tsv", NOTICE_2031 + "2031-10-01\trest\tagain\n", "listed twice"),
        ("cn-2031.tsv", NOTICE_2031 + "2035-05-01\trest\tfar\n", "too far"),
        ("cn-2031.tsv", NOTICE_2031 + "2031-05-01 rest\n", "separated by tabs"),
    ],
)
def test_a_wrong_notice_is_refused_and_changes_nothing(
    complaint_before_national_day_2031: Case, tmp_path: Path, name: str, text: str, problem: str
) -> None:
    with pytest.raises(CommandError, match=problem):
        call_command("import_calendar", notice_file(tmp_path, text, name))

    assert not HolidayNotice.objects.exists()
    assert not AuditRecord.objects.filter(action="calendar.installed").exists()
    assert Case.objects.get(pk=complaint_before_national_day_2031.pk).deadline_provisional


def test_a_year_already_installed_is_replaced_only_when_asked(
    complaint_before_national_day_2031: Case, tmp_path: Path
) -> None:
    call_command("import_calendar", notice_file(tmp_path))
    changed = NOTICE_2031.replace("2031-10-07\trest", "2031-10-08\trest")

    with pytest.raises(CommandError, match="already installed"):
        call_command("import_calendar", notice_file(tmp_path, changed))
    assert HolidayNotice.objects.get().source == NOTICE_2031

    call_command("import_calendar", notice_file(tmp_path, changed), "--replace")
    assert HolidayNotice.objects.get().source == changed
    last = AuditRecord.objects.filter(action="calendar.installed").order_by("-pk").first()
    assert last is not None and last.details["replaced"] is True


def test_a_file_that_is_not_utf8_is_refused(db: None, tmp_path: Path) -> None:
    path = tmp_path / "cn-2031.tsv"
    path.write_bytes(NOTICE_2031.encode("gb18030"))

    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_calendar", str(path))
    assert not HolidayNotice.objects.exists()


def test_the_years_a_deadline_may_reach_without_a_notice_are_named(
    db: None, tmp_path: Path
) -> None:
    assert years_missing(date(2031, 11, 20)) == [2031, 2032]
    assert years_missing(date(2031, 6, 1)) == [2031]

    call_command("import_calendar", notice_file(tmp_path))

    assert years_missing(date(2031, 11, 20)) == [2032]
    assert years_missing(date(2031, 6, 1)) == []


def test_the_calendars_command_fails_while_a_year_is_missing(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_calendar", notice_file(tmp_path))
    capsys.readouterr()

    call_command("calendars", "--on", "2031-06-01")
    captured = capsys.readouterr()
    assert "cn-2026\tshipped" in captured.out
    assert "cn-2031\tinstalled" in captured.out
    assert "missing" not in captured.err

    with pytest.raises(SystemExit) as stopped:
        call_command("calendars", "--on", "2031-11-20")

    assert stopped.value.code == 1
    assert "missing: 2032." in capsys.readouterr().err


def test_schedule_deadline_keeps_working_when_the_installed_notice_was_removed(
    complaint_before_national_day_2031: Case, tmp_path: Path
) -> None:
    call_command("import_calendar", notice_file(tmp_path))
    HolidayNotice.objects.all().delete()
    forget_installed_notices()
    case = Case.objects.get(pk=complaint_before_national_day_2031.pk)

    schedule_deadline(case)

    assert case.deadline_provisional


def test_the_nightly_check_settles_cases_counted_before_this_process_saw_the_notice(
    complaint_before_national_day_2031: Case,
) -> None:
    # Installed by another process: this one still holds the notices it read before.
    assert installed_notices() == ()
    HolidayNotice.objects.create(calendar="cn", year=2031, source=NOTICE_2031)

    nightly_calendar_check.call_local()

    case = Case.objects.get(pk=complaint_before_national_day_2031.pk)
    assert not case.deadline_provisional
    assert case.deadline is not None and case.deadline.date() == date(2031, 10, 14)
