"""Deadline policies per case type, narrowed by region type and by unit, read from TOML.

The shipped `data/policies.toml` describes the format. A policy is found by layering
tables, the later ones winning field by field: `[defaults]`, `[types.<type>]`, then
`[region_types.<region type>.types.<type>]`, then `[units."<code>".types.<type>]` for each
unit from the root of the tree down to the case's own unit. Working hours and calendars
layer the same way. Mistakes fail when the file is read, never when a case arrives.
"""

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from beatdesk.inbox.deadlines.clock import DEFAULT_WORKING_HOURS, Schedule, WorkingHours
from beatdesk.inbox.deadlines.workdays import InstalledFile, load_shipped_calendar

POLICY_PATH = Path(__file__).resolve().parent / "data" / "policies.toml"
EMERGENCY = "emergency"

POLICY_KEYS = frozenset(
    {
        "tracked",
        "working_days",
        "calendar_hours",
        "extension_limit_days",
        "remind_before_minutes",
        "escalate_after_minutes",
    }
)
SCOPE_KEYS = frozenset({"calendars", "working_hours", "types"})
TOP_KEYS = SCOPE_KEYS | {"defaults", "region_types", "units"}

Table = Mapping[str, Any]


class PolicyDataError(ValueError):
    """The policy file is malformed; the message names the table and key."""


class ExtensionRefused(ValueError):
    """An extension breaks its policy's rules; the message says which, for the officer."""


@dataclass(frozen=True, slots=True)
class Policy:
    """How long a case of one type may take, and when to remind and escalate.

    Exactly one of `working_days` (0: by the end of the working day the case arrives on)
    and `calendar_hours` is set. `extension_limit_days` is the longest deadline, in working
    days from arrival, an extension may give; None means no extension.
    """

    case_type: str
    working_days: int | None = None
    calendar_hours: int | None = None
    extension_limit_days: int | None = None
    remind_before: timedelta = timedelta(hours=2)
    escalate_after: timedelta = timedelta(0)


def extend(policy: Policy, to_working_days: int, reason: str) -> Policy:
    """Return the policy with a longer deadline, counted from arrival, if its rules allow.

    Call it on the case type's own policy each time, so that the limit stays the policy's.
    """
    if not reason.strip():
        raise ExtensionRefused("an extension needs a reason")
    if policy.working_days is None or policy.extension_limit_days is None:
        raise ExtensionRefused(f"the deadline of a {policy.case_type} case cannot be extended")
    if to_working_days <= policy.working_days:
        raise ExtensionRefused(f"an extension must give more than {policy.working_days} days")
    if to_working_days > policy.extension_limit_days:
        raise ExtensionRefused(
            f"a {policy.case_type} case may be extended to at most "
            f"{policy.extension_limit_days} working days"
        )
    return replace(policy, working_days=to_working_days)


class PolicyBook:
    """Every deadline policy, working hours and calendar choice, by region type and unit."""

    def __init__(self, data: Table) -> None:
        _check_keys(data, TOP_KEYS, "the top level")
        self._data = data
        self._validate()

    def policy_for(
        self,
        case_type: str,
        *,
        region_type: str | None = None,
        unit_codes: Sequence[str] = (),
        emergency: bool = False,
    ) -> Policy | None:
        """Return the policy of a case, or None when its type has no deadline.

        `unit_codes` lists the case's unit first, then its parent and so on up the tree;
        the nearest unit wins. An emergency uses the `emergency` policy whatever its type.
        """
        name = EMERGENCY if emergency else case_type
        fields: dict[str, Any] = {}
        for table in [self._table("defaults"), *self._type_tables(name, region_type, unit_codes)]:
            _layer(fields, table)
        tracked = fields.get("tracked", True)
        if not isinstance(tracked, bool):
            raise PolicyDataError(f"{name}: tracked must be true or false")
        if not tracked:
            return None
        return _policy(name, fields)

    def working_hours_for(
        self, *, region_type: str | None = None, unit_codes: Sequence[str] = ()
    ) -> WorkingHours:
        texts = self._scope_value("working_hours", region_type, unit_codes)
        return WorkingHours.parse(texts) if texts else DEFAULT_WORKING_HOURS

    def calendars_for(
        self, *, region_type: str | None = None, unit_codes: Sequence[str] = ()
    ) -> tuple[str, ...]:
        """Return the calendar names of a unit: the base first, then regional overlays."""
        names = self._scope_value("calendars", region_type, unit_codes)
        return tuple(names) if names else ("cn",)

    def schedule_for(
        self,
        time_zone: str,
        *,
        region_type: str | None = None,
        unit_codes: Sequence[str] = (),
        installed: tuple[InstalledFile, ...] = (),
        assume_weekends_for_missing_years: bool = False,
    ) -> Schedule:
        """Return a unit's schedule from the calendars (shipped and installed) and hours."""
        calendar = load_shipped_calendar(
            self.calendars_for(region_type=region_type, unit_codes=unit_codes),
            installed=installed,
            assume_weekends_for_missing_years=assume_weekends_for_missing_years,
        )
        hours = self.working_hours_for(region_type=region_type, unit_codes=unit_codes)
        return Schedule(calendar, hours, ZoneInfo(time_zone))

    @property
    def case_types(self) -> frozenset[str]:
        """Return every case type some table names, for checking against the inbox's types."""
        names = set(self._table("types"))
        for scope in self._scopes():
            names.update(scope.get("types", {}))
        return frozenset(names)

    @property
    def region_types(self) -> frozenset[str]:
        return frozenset(self._table("region_types"))

    def _table(self, key: str) -> Table:
        value = self._data.get(key, {})
        if not isinstance(value, Mapping):
            raise PolicyDataError(f"{key} must be a table")
        return value

    def _scope_chain(self, region_type: str | None, unit_codes: Sequence[str]) -> list[Table]:
        chain: list[Table] = [self._data]
        regions, units = self._table("region_types"), self._table("units")
        if region_type is not None and region_type in regions:
            chain.append(regions[region_type])
        chain.extend(units[code] for code in reversed(unit_codes) if code in units)
        return chain

    def _type_tables(
        self, case_type: str, region_type: str | None, unit_codes: Sequence[str]
    ) -> list[Table]:
        chain = self._scope_chain(region_type, unit_codes)
        return [
            scope["types"][case_type] for scope in chain if case_type in scope.get("types", {})
        ]

    def _scope_value(
        self, key: str, region_type: str | None, unit_codes: Sequence[str]
    ) -> list[str] | None:
        value = None
        for scope in self._scope_chain(region_type, unit_codes):
            value = scope.get(key, value)
        return value

    def _scopes(self) -> list[Table]:
        return [*self._table("region_types").values(), *self._table("units").values()]

    def _validate(self) -> None:
        _check_keys(self._table("defaults"), POLICY_KEYS, "[defaults]")
        self._validate_scope(self._data, "the top level")
        for kind in ("region_types", "units"):
            for name, scope in self._table(kind).items():
                where = f"[{kind}.{name}]"
                if not isinstance(scope, Mapping):
                    raise PolicyDataError(f"{where} must be a table")
                _check_keys(scope, SCOPE_KEYS, where)
                self._validate_scope(scope, where)
        # A type no table names falls back to the defaults, so they must make a policy.
        defaults = self._table("defaults")
        if defaults.get("tracked", True):
            _policy("[defaults]", defaults)
        # Resolving every type in every scope proves each combination a case can meet.
        for case_type in self.case_types:
            self.policy_for(case_type)
            for region_type in self.region_types:
                self.policy_for(case_type, region_type=region_type)
            for code in self._table("units"):
                self.policy_for(case_type, unit_codes=[code])

    def _validate_scope(self, scope: Table, where: str) -> None:
        for case_type, table in scope.get("types", {}).items():
            if not isinstance(table, Mapping):
                raise PolicyDataError(f"{where} types.{case_type} must be a table")
            _check_keys(table, POLICY_KEYS, f"{where} types.{case_type}")
        try:
            if "working_hours" in scope:
                WorkingHours.parse(scope["working_hours"])
        except (TypeError, ValueError) as error:
            raise PolicyDataError(f"{where} working_hours: {error}") from error
        calendars = scope.get("calendars", ["cn"])
        if not calendars or not all(isinstance(name, str) for name in calendars):
            raise PolicyDataError(f"{where} calendars must be a list of calendar names")


def load_policy_book(path: Path = POLICY_PATH) -> PolicyBook:
    """Read a policy file; the shipped one by default."""
    return parse_policy_book(path.read_text(encoding="utf-8"))


def parse_policy_book(text: str) -> PolicyBook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyDataError(f"the policy file is not valid TOML: {error}") from error
    return PolicyBook(data)


def _layer(fields: dict[str, Any], table: Table) -> None:
    # A table that counts in one unit replaces an inherited count in the other.
    if "working_days" in table:
        fields.pop("calendar_hours", None)
    if "calendar_hours" in table:
        fields.pop("working_days", None)
    fields.update(table)


def _policy(case_type: str, fields: Mapping[str, Any]) -> Policy:
    working_days = _whole(fields, "working_days", case_type, minimum=0)
    calendar_hours = _whole(fields, "calendar_hours", case_type, minimum=1)
    if (working_days is None) == (calendar_hours is None):
        raise PolicyDataError(f"{case_type}: set exactly one of working_days and calendar_hours")
    limit = _whole(fields, "extension_limit_days", case_type, minimum=0)
    if limit is not None and (working_days is None or limit <= working_days):
        raise PolicyDataError(f"{case_type}: extension_limit_days must exceed working_days")
    remind = _whole(fields, "remind_before_minutes", case_type, minimum=0)
    escalate = _whole(fields, "escalate_after_minutes", case_type, minimum=0)
    return Policy(
        case_type=case_type,
        working_days=working_days,
        calendar_hours=calendar_hours,
        extension_limit_days=limit,
        remind_before=timedelta(minutes=120 if remind is None else remind),
        escalate_after=timedelta(minutes=escalate or 0),
    )


def _whole(fields: Mapping[str, Any], key: str, case_type: str, *, minimum: int) -> int | None:
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicyDataError(f"{case_type}: {key} must be a whole number from {minimum}")
    return value


def _check_keys(table: Table, allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PolicyDataError(f"{where}: unknown keys {', '.join(unknown)}")
