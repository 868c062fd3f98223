"""Load a matrix (units, people, accounts) from CSV or Excel: all or nothing.

One row per record; the `record` column says which: `unit`, `person` or `account`.
Rows may come in any order within a file as long as a parent unit appears before its
children. Re-importing the same file changes nothing. The columns are defined, with their
meaning and the longest cell each takes, in `matrix_columns.py`.

The command line imports with every right; a person importing from the matrix page is an
`Importer` limited to the units their roles cover (see `matrix_scope.py`). Problems are in
the active language: the uploader's on the matrix page, English on the command line.
"""

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from beatdesk.audit.actions import record as audit

# COLUMNS stays importable from here, where the import's callers have always found it.
from beatdesk.channels.matrix_columns import COLUMNS as COLUMNS
from beatdesk.channels.matrix_columns import too_long
from beatdesk.channels.matrix_scope import Importer
from beatdesk.channels.models import Account, ChannelKind, SecurityMode
from beatdesk.channels.onebot.credentials import CredentialsError, check_api_base_url
from beatdesk.core.tables import Row, TableFileError, read_table_data
from beatdesk.units.models import RegionType, Role, RoleAssignment, Unit, UnitKind, User

logger = logging.getLogger(__name__)


class MatrixError(Exception):
    """The file cannot be imported; `problems` lists each with its line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportSummary:
    """How many rows of each record made something new, and how many found it there."""

    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def units(self) -> int:
        return self.created["unit"] + self.existing["unit"]

    @property
    def people(self) -> int:
        return self.created["person"] + self.existing["person"]

    @property
    def accounts(self) -> int:
        return self.created["account"] + self.existing["account"]


# Called after each row with the rows done and the rows in the file; it may throttle.
ProgressCallback = Callable[[int, int], None]


def read_rows(name: str, data: bytes) -> list[Row]:
    """Read the file's rows with their line numbers; refuse an unknown format or header."""
    try:
        return read_table_data(name, data, "record")
    except TableFileError as error:
        raise MatrixError(error.problems) from None


def _choice(value: str, choices: type[object], name: str, default: str = "") -> str:
    allowed = [str(item) for item in choices]  # type: ignore[attr-defined]
    if not value and default:
        return default
    if value not in allowed:
        message = _("%(name)s must be one of %(allowed)s, not %(value)s")
        raise ValueError(
            message % {"name": name, "allowed": ", ".join(allowed), "value": repr(value)}
        )
    return value


def _import_unit(row: dict[str, str], importer: Importer) -> bool:
    if not row.get("code") or not row.get("name"):
        raise ValueError(_("a unit needs a code and a name"))
    parent = None
    if row.get("parent"):
        parent = Unit.objects.filter(code=row["parent"]).first()
        if parent is None:
            message = _("parent unit %(code)s is not defined above this line")
            raise ValueError(message % {"code": repr(row["parent"])})
    importer.check_unit(row["code"], parent)
    defaults = {
        "name": row["name"],
        "kind": _choice(row.get("kind", ""), UnitKind, "kind"),
        "region_type": _choice(row.get("region_type", ""), RegionType, "region_type", "urban"),
        "parent": parent,
    }
    # Contact details answer residents automatically; a file without the columns keeps them.
    for column in ("contact_phone", "office_hours", "address"):
        if column in row:
            defaults[column] = row[column]
    before = Unit.objects.filter(code=row["code"]).values("parent_id", "name").first()
    unit, created = Unit.objects.update_or_create(code=row["code"], defaults=defaults)
    if created or before is None:
        audit("unit.created", unit, actor=importer.actor, unit=unit)
        return True
    if before["name"] != unit.name:
        # Ids only: a name may be anything the file says, and the trail keeps no text.
        audit("unit.renamed", unit, actor=importer.actor, unit=unit)
    if before["parent_id"] != unit.parent_id:
        # Its subtree moved with it (Unit.save); who sees what under it changes too.
        audit(
            "unit.moved",
            unit,
            actor=importer.actor,
            unit=unit,
            from_parent=before["parent_id"],
            to_parent=unit.parent_id,
        )
    return False


def _unit_named(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValueError(_("unit %(code)s is not defined") % {"code": repr(code)})
    return unit


def _import_person(row: dict[str, str], importer: Importer) -> bool:
    if not row.get("username"):
        raise ValueError(_("a person needs a username"))
    unit = _unit_named(row.get("unit", ""))
    roles = [part.strip() for part in row.get("role", "").split(";") if part.strip()]
    for role in roles:
        _choice(role, Role, "role")
    importer.check_person(row["username"], unit, roles)
    user, created = User.objects.get_or_create(username=row["username"])
    if created:
        user.set_unusable_password()
    before = user.display_name
    user.display_name = row.get("display_name", "") or user.display_name
    user.save()
    if not created and user.display_name != before:
        audit("person.renamed", user, actor=importer.actor, unit=unit, user=user.pk)
    for role in roles:
        assignment, granted = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        if granted:
            audit(
                "role.granted",
                assignment,
                actor=importer.actor,
                unit=unit,
                user=user.pk,
                role=role,
            )
    return created


def _credentials(row: dict[str, str]) -> str:
    if row.get("channel") == ChannelKind.ONEBOT:
        return _onebot_credentials(row)
    if row.get("channel") == ChannelKind.QQBOT:
        return _qqbot_credentials(row)
    secrets = {key: row.get(key, "") for key in ("token", "encoding_aes_key", "app_secret")}
    if secrets["encoding_aes_key"] and len(secrets["encoding_aes_key"]) != 43:
        raise ValueError(_("encoding_aes_key must be 43 characters"))
    return json.dumps(secrets)


def _onebot_credentials(row: dict[str, str]) -> str:
    # Every OneBot event must be signed, so an account without a secret is refused here
    # rather than at its first event.
    secrets = {key: row.get(key, "") for key in ("api_base_url", "access_token", "secret")}
    missing = [key for key, value in secrets.items() if not value]
    if missing:
        raise ValueError(_("a OneBot account needs %(fields)s") % {"fields": ", ".join(missing)})
    try:
        secrets["api_base_url"] = check_api_base_url(secrets["api_base_url"])
    except CredentialsError as error:
        raise ValueError(str(error)) from None
    return json.dumps(secrets)


def _qqbot_credentials(row: dict[str, str]) -> str:
    # The AppSecret both buys tokens and verifies every webhook request: it is required.
    if not row.get("app_secret"):
        raise ValueError(_("a QQ bot account needs app_secret, its AppSecret"))
    return json.dumps({"app_secret": row["app_secret"]})


def _platform_id(row: dict[str, str]) -> str:
    """Return the account's id on its platform: the appid, or the bot's QQ number."""
    app_id = row.get("app_id", "")
    if row.get("channel") == ChannelKind.QQBOT and not (app_id.isascii() and app_id.isdigit()):
        raise ValueError(_("a QQ bot account needs app_id, its AppID"))
    if row.get("channel") != ChannelKind.ONEBOT:
        return app_id
    self_id = row.get("self_id", "")
    if not self_id.isdigit():
        raise ValueError(_("a OneBot account needs self_id, the bot's QQ number"))
    return self_id


def _import_account(row: dict[str, str], importer: Importer) -> bool:
    if not row.get("code") or not row.get("name"):
        raise ValueError(_("an account needs a code and a name"))
    owner = None
    if row.get("owner"):
        owner = User.objects.filter(username=row["owner"]).first()
        if owner is None:
            message = _("owner %(username)s is not defined above this line")
            raise ValueError(message % {"username": repr(row["owner"])})
    kind = _choice(row.get("channel", ""), ChannelKind, "channel")
    unit = _unit_named(row.get("unit", ""))
    importer.check_account(row["code"], unit, owner)
    defaults = {
        "name": row["name"],
        "kind": kind,
        "unit": unit,
        "owner": owner,
        "app_id": _platform_id(row),
        "original_id": row.get("original_id", ""),
        "security_mode": _choice(row.get("security_mode", ""), SecurityMode, "mode", "safe"),
        "credentials": _credentials(row),
    }
    if owner is None:
        _check_one_per_platform(row["code"], unit, kind)
    account, created = Account.objects.update_or_create(code=row["code"], defaults=defaults)
    if created:
        audit("account.created", account, actor=importer.actor, unit=account.unit)
    return created


def _check_one_per_platform(code: str, unit: Unit, kind: str) -> None:
    clash = Account.objects.filter(unit=unit, kind=kind, owner__isnull=True)
    if clash.exclude(code=code).filter(second_account_reason="").exists():
        raise ValueError(_("the unit already has an organ account on this platform"))


RowImporter = Callable[[dict[str, str], Importer], bool]
IMPORTERS: dict[str, RowImporter] = {
    "unit": _import_unit,
    "person": _import_person,
    "account": _import_account,
}


def import_matrix(path: Path) -> ImportSummary:
    """Import a file on disk with every right, as the command line and the demo do."""
    return import_matrix_data(path.name, path.read_bytes(), Importer.unlimited())


def import_matrix_data(
    name: str, data: bytes, importer: Importer, progress: ProgressCallback | None = None
) -> ImportSummary:
    """Import every row or none: on any problem, roll back and raise MatrixError.

    `importer` says who imports and what they may touch; a row outside it is a problem like
    any other. `progress` hears how many rows are done.
    """
    return import_matrix_rows(read_rows(name, data), importer, progress)


def import_matrix_rows(
    rows: list[Row], importer: Importer, progress: ProgressCallback | None = None
) -> ImportSummary:
    """Import rows already read from a file, all or none (see `import_matrix_data`)."""
    summary = ImportSummary()
    with transaction.atomic():
        for done, (line, row) in enumerate(rows, start=1):
            _import_row(line, row, summary, importer)
            if progress is not None:
                progress(done, len(rows))
        if summary.problems:
            transaction.set_rollback(True)
    if summary.problems:
        raise MatrixError(summary.problems)
    logger.info("matrix imported units=%s people=%s", summary.units, summary.people)
    return summary


def _import_row(
    line: int, row: dict[str, str], summary: ImportSummary, importer: Importer
) -> None:
    kind = row.get("record", "")
    row_importer = IMPORTERS.get(kind)
    if row_importer is None:
        problem = _("record must be unit, person or account")
        summary.problems.append(
            _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}
        )
        return
    # A cell longer than its field is refused here: PostgreSQL would fail the whole import
    # on it, and SQLite would store it whole.
    too_long_cells = too_long(kind, row)
    if too_long_cells:
        summary.problems.extend(
            _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}
            for problem in too_long_cells
        )
        return
    try:
        with transaction.atomic():
            created = row_importer(row, importer)
    except ValueError as error:
        summary.problems.append(_("line %(line)s: %(problem)s") % {"line": line, "problem": error})
        return
    (summary.created if created else summary.existing)[kind] += 1
