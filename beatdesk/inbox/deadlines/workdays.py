"""Which days are working days: weekends, public holidays and make-up working days.

Holidays and make-up working days (调休) are set each year by a State Council notice and
cannot be computed, so they are data: one file per notice under `data/`, named
`<calendar>-<year>.tsv` (see README.md). A regional calendar such as `cn_gx` is an overlay
whose rows replace the national ones on the same dates. A day in a year that has no file
of the base calendar is refused with `CalendarYearMissing`, unless the calendar was loaded
to assume weekends only for such years, in which case every such guess is logged.
"""

import functools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

logger = logging.getLogger(__name__)

DATA_DIRECTORY = Path(__file__).resolve().parent / "data"
FILE_NAME = re.compile(r"^(?P<calendar>[a-z][a-z0-9_]*)-(?P<year>\d{4})\.tsv$")
SOURCE_PREFIX = "# source:"


class DayKind(StrEnum):
    REST = "rest"
    WORK = "work"


@dataclass(frozen=True, slots=True)
class SpecialDay:
    """A date a notice names: a holiday (rest) or a make-up working day (work)."""

    day: date
    kind: DayKind
    name: str


class CalendarError(Exception):
    """Base of the errors about calendar data."""


class CalendarDataError(CalendarError):
    """A calendar file is malformed or missing; the message names the file and line."""


class CalendarYearMissing(CalendarError):
    """A day was asked about in a year for which no calendar file is installed."""

    def __init__(self, calendar: str, year: int) -> None:
        self.calendar = calendar
        self.year = year
        super().__init__(
            f"no holiday calendar for {year}: add data/{calendar}-{year}.tsv from the State "
            f"Council notice on the holidays of {year} (see beatdesk/inbox/deadlines/README.md)"
        )


class HolidayCalendar:
    """Working days of one region: Monday to Friday, changed by the notices' special days."""

    def __init__(
        self,
        name: str,
        special_days: Mapping[date, SpecialDay],
        years: Iterable[int],
        *,
        assume_weekends_for_missing_years: bool = False,
    ) -> None:
        self.name = name
        self.years = frozenset(years)
        self.assume_weekends_for_missing_years = assume_weekends_for_missing_years
        self._special_days = dict(special_days)
        self._warned_years: set[int] = set()

    def __repr__(self) -> str:
        return f"HolidayCalendar({self.name!r}, years={sorted(self.years)})"

    def covers(self, year: int) -> bool:
        return year in self.years

    def missing_years(self, first: date, last: date) -> list[int]:
        """Return the years between two days (inclusive) that have no calendar file."""
        return [year for year in range(first.year, last.year + 1) if not self.covers(year)]

    def special_day(self, day: date) -> SpecialDay | None:
        self._check_year(day.year)
        return self._special_days.get(day)

    def is_working_day(self, day: date) -> bool:
        special = self.special_day(day)
        if special is not None:
            return special.kind is DayKind.WORK
        return day.weekday() < 5

    def _check_year(self, year: int) -> None:
        if self.covers(year):
            return
        if not self.assume_weekends_for_missing_years:
            raise CalendarYearMissing(self.name, year)
        # A guess changes deadlines, so it is logged once per year and calendar object; the
        # caller can also ask `missing_years` to mark the deadlines it computed as provisional.
        if year not in self._warned_years:
            self._warned_years.add(year)
            logger.warning(
                "deadlines.calendar_year_missing calendar=%s year=%s assuming=weekends_only",
                self.name,
                year,
            )


# A notice installed after release, as (calendar name, year, the file's text): the inbox
# keeps these in its database so that a new year needs no new version of Beatdesk.
InstalledFile = tuple[str, int, str]


def load_calendar(
    names: Sequence[str] = ("cn",),
    *,
    directory: Path = DATA_DIRECTORY,
    installed: Iterable[InstalledFile] = (),
    assume_weekends_for_missing_years: bool = False,
) -> HolidayCalendar:
    """Load a base calendar and its regional overlays, in order, from `directory`.

    The base calendar's files decide which years are covered; an overlay only replaces or
    adds rows where it has files. Each overlay must have at least one file, so that a
    misspelt region name fails here rather than silently meaning "no local holidays".
    An installed file counts like a shipped one and replaces the shipped file of its year.
    """
    if not names:
        raise CalendarDataError("a calendar needs at least a base name, such as 'cn'")
    files = _calendar_files(directory)
    texts: dict[str, dict[int, str]] = {}
    for name, paths in files.items():
        texts[name] = {year: path.read_text(encoding="utf-8") for year, path in paths.items()}
    for name, year, text in installed:
        texts.setdefault(name, {})[year] = text

    special_days: dict[date, SpecialDay] = {}
    for name in names:
        years = texts.get(name)
        if not years:
            raise CalendarDataError(f"no calendar files named {name}-<year>.tsv in {directory}")
        for year, text in sorted(years.items()):
            special_days.update(parse_calendar_text(f"{name}-{year}.tsv", text))
    return HolidayCalendar(
        "+".join(names),
        special_days,
        texts[names[0]],
        assume_weekends_for_missing_years=assume_weekends_for_missing_years,
    )


@functools.cache
def load_shipped_calendar(
    names: tuple[str, ...] = ("cn",),
    *,
    installed: tuple[InstalledFile, ...] = (),
    assume_weekends_for_missing_years: bool = False,
) -> HolidayCalendar:
    """Return the calendar from the shipped data and the installed files, read once each."""
    return load_calendar(
        names,
        installed=installed,
        assume_weekends_for_missing_years=assume_weekends_for_missing_years,
    )


def missing_calendar_years(
    calendar: HolidayCalendar, today: date, lookahead: timedelta = timedelta(days=62)
) -> list[int]:
    """Return the years a deadline counted from today may reach that have no file yet.

    Run by a periodic check: the next year's notice usually appears in November, and
    deadlines of late December cases run into January.
    """
    return calendar.missing_years(today, today + lookahead)


def read_calendar_file(path: Path) -> dict[date, SpecialDay]:
    """Read one notice's file: tab-separated date, kind (rest or work) and name."""
    return parse_calendar_text(path.name, path.read_text(encoding="utf-8"))


def parse_calendar_text(file_name: str, text: str) -> dict[date, SpecialDay]:
    """Read one notice's rows from its text; `file_name` gives its calendar and year."""
    match = FILE_NAME.match(file_name)
    if match is None:
        raise CalendarDataError(f"{file_name}: calendar files are named <calendar>-<year>.tsv")
    notice_year = int(match["year"])
    lines = text.splitlines()
    if not any(line.startswith(SOURCE_PREFIX) for line in lines):
        raise CalendarDataError(f"{file_name}: the header must name the notice ('# source:')")

    days: dict[date, SpecialDay] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        special = _parse_line(line, notice_year, f"{file_name}:{number}")
        if special.day in days:
            raise CalendarDataError(f"{file_name}:{number}: {special.day} is listed twice")
        days[special.day] = special
    return days


def _parse_line(line: str, notice_year: int, where: str) -> SpecialDay:
    fields = line.split("\t")
    if len(fields) != 3:
        raise CalendarDataError(f"{where}: expected date, kind and name separated by tabs")
    text, kind_text, name = (field.strip() for field in fields)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise CalendarDataError(f"{where}: {text!r} is not a date like 2026-10-01")
    day = date.fromisoformat(text)
    if kind_text not in DayKind:
        raise CalendarDataError(f"{where}: kind must be 'rest' or 'work', not {kind_text!r}")
    kind = DayKind(kind_text)
    # A notice sets days of its own year, and at most the New Year days next to it.
    if abs(day.year - notice_year) > 1:
        raise CalendarDataError(f"{where}: {day} is too far from the notice year {notice_year}")
    # Make-up working days are always weekend days; a weekday here is a typing mistake.
    if kind is DayKind.WORK and day.weekday() < 5:
        raise CalendarDataError(f"{where}: {day} is a weekday, so it cannot be a make-up day")
    if not name:
        raise CalendarDataError(f"{where}: the name is empty")
    return SpecialDay(day, kind, name)


def _calendar_files(directory: Path) -> dict[str, dict[int, Path]]:
    files: dict[str, dict[int, Path]] = {}
    for path in directory.glob("*.tsv"):
        match = FILE_NAME.match(path.name)
        if match is None:
            raise CalendarDataError(f"{path.name}: calendar files are named <calendar>-<year>.tsv")
        files.setdefault(match["calendar"], {})[int(match["year"])] = path
    return files
