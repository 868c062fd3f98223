"""The matrix file's columns, defined once: the import reads them, the page explains them.

Each column says which records use it, what it means, the values it takes and the model
fields it fills, whose lengths bound its cells. The column guide on the matrix page, the
sample file and the import's length checks are all made from these definitions, so they
cannot drift apart.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Model, TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beatdesk.channels.models import Account, ChannelKind, SecurityMode
from beatdesk.units.models import RegionType, Role, Unit, UnitKind, User


class Record(TextChoices):
    """What one row of the file describes."""

    UNIT = "unit", gettext_lazy("a unit")
    PERSON = "person", gettext_lazy("a person and their roles")
    ACCOUNT = "account", gettext_lazy("a channel account")


UNIT, PERSON, ACCOUNT = Record.UNIT.value, Record.PERSON.value, Record.ACCOUNT.value


@dataclass(frozen=True)
class Column:
    """One column of the matrix file."""

    name: str
    records: tuple[str, ...]
    meaning: Promise
    choices: type[TextChoices] | None = None
    # The model fields the column's cells are stored in; the shortest bounds every cell.
    fields: tuple[tuple[type[Model], str], ...] = field(default=())

    @property
    def max_length(self) -> int | None:
        lengths = [
            getattr(model._meta.get_field(name), "max_length", None) for model, name in self.fields
        ]
        known = [length for length in lengths if isinstance(length, int)]
        return min(known) if known else None

    @property
    def values(self) -> tuple[tuple[str, str], ...]:
        """Return each value the column takes, with what it means, for the guide."""
        if self.choices is None:
            return ()
        return tuple((str(value), str(label)) for value, label in self.choices.choices)


def _column(
    name: str,
    records: Iterable[str],
    meaning: Promise,
    choices: type[TextChoices] | None = None,
    fields: Iterable[tuple[type[Model], str]] = (),
) -> Column:
    return Column(name, tuple(records), meaning, choices, tuple(fields))


ALL_RECORDS = (UNIT, PERSON, ACCOUNT)

MATRIX_COLUMNS: tuple[Column, ...] = (
    _column("record", ALL_RECORDS, gettext_lazy("What the row describes."), Record),
    _column(
        "code",
        (UNIT, ACCOUNT),
        gettext_lazy(
            "A short code, unique among units or among accounts. Other rows name a unit by "
            "its code; an account's code ends its webhook address."
        ),
        fields=((Unit, "code"), (Account, "code")),
    ),
    _column(
        "name",
        (UNIT, ACCOUNT),
        gettext_lazy("The name people see."),
        fields=((Unit, "name"), (Account, "name")),
    ),
    _column("kind", (UNIT,), gettext_lazy("The kind of unit."), UnitKind, [(Unit, "kind")]),
    _column(
        "parent",
        (UNIT,),
        gettext_lazy(
            "The code of the unit above, on an earlier line or already in Beatdesk; empty "
            "only for a top unit."
        ),
        fields=[(Unit, "code")],
    ),
    _column(
        "region_type",
        (UNIT,),
        gettext_lazy("Where the unit works; urban when empty."),
        RegionType,
        [(Unit, "region_type")],
    ),
    _column(
        "unit",
        (PERSON, ACCOUNT),
        gettext_lazy("The code of the unit the person works at, or that owns the account."),
        fields=[(Unit, "code")],
    ),
    _column(
        "role",
        (PERSON,),
        gettext_lazy("The person's roles at that unit, separated by semicolons (;)."),
        Role,
    ),
    _column(
        "username",
        (PERSON,),
        gettext_lazy(
            "The name the person signs in with. New people get no password: a system "
            "administrator sets one."
        ),
        fields=[(User, "username")],
    ),
    _column(
        "display_name",
        (PERSON,),
        gettext_lazy("The name colleagues see; kept as it is when empty."),
        fields=[(User, "display_name")],
    ),
    _column("channel", (ACCOUNT,), gettext_lazy("The platform of the account."), ChannelKind),
    _column(
        "app_id",
        (ACCOUNT,),
        gettext_lazy("The account's id on its platform: an AppID, or Weibo's app key."),
        fields=[(Account, "app_id")],
    ),
    _column(
        "original_id",
        (ACCOUNT,),
        gettext_lazy("WeChat only: the original id, starting with gh_."),
        fields=[(Account, "original_id")],
    ),
    _column(
        "security_mode",
        (ACCOUNT,),
        gettext_lazy("WeChat only: how messages are encrypted; safe when empty."),
        SecurityMode,
        [(Account, "security_mode")],
    ),
    _column(
        "owner",
        (ACCOUNT,),
        gettext_lazy(
            "For an officer's own account, the officer's username, on an earlier line or "
            "already in Beatdesk; empty for a unit's account."
        ),
        fields=[(User, "username")],
    ),
    _column("token", (ACCOUNT,), gettext_lazy("WeChat and Weibo: the token of the server.")),
    _column(
        "encoding_aes_key",
        (ACCOUNT,),
        gettext_lazy("WeChat: the EncodingAESKey, 43 characters."),
    ),
    _column(
        "app_secret",
        (ACCOUNT,),
        gettext_lazy("The AppSecret (app secret); required for a QQ bot."),
    ),
    _column(
        "self_id",
        (ACCOUNT,),
        gettext_lazy("QQ groups (OneBot): the bot's QQ number."),
        fields=[(Account, "app_id")],
    ),
    _column(
        "api_base_url",
        (ACCOUNT,),
        gettext_lazy("QQ groups (OneBot): the address of the OneBot HTTP API."),
    ),
    _column(
        "access_token",
        (ACCOUNT,),
        gettext_lazy("QQ groups (OneBot): the access token of that API."),
    ),
    _column(
        "secret",
        (ACCOUNT,),
        gettext_lazy("QQ groups (OneBot): the secret that signs every event; required."),
    ),
    _column(
        "contact_phone",
        (UNIT,),
        gettext_lazy(
            "The public phone number residents are given; a file without this column "
            "leaves it as it is."
        ),
        fields=[(Unit, "contact_phone")],
    ),
    _column(
        "office_hours",
        (UNIT,),
        gettext_lazy("The public office hours, as residents should read them."),
        fields=[(Unit, "office_hours")],
    ),
    _column(
        "address",
        (UNIT,),
        gettext_lazy("The public address of the unit."),
        fields=[(Unit, "address")],
    ),
)

COLUMNS = [column.name for column in MATRIX_COLUMNS]


def too_long(record: str, row: Mapping[str, str]) -> list[str]:
    """Return a problem for each cell of the row longer than its column's field holds."""
    problems = []
    for column in MATRIX_COLUMNS:
        limit = column.max_length
        value = row.get(column.name, "")
        if record in column.records and limit is not None and len(value) > limit:
            message = _("%(column)s is %(length)s characters long; at most %(limit)s fit")
            problems.append(
                message % {"column": column.name, "length": len(value), "limit": limit}
            )
    return problems


def sample_rows(parent_code: str) -> list[dict[str, str]]:
    """Return a small matrix: a community under `parent_code`, its officer and its account."""
    return [
        {
            "record": UNIT,
            "code": "example-community",
            "name": _("Example community police office"),
            "kind": UnitKind.COMMUNITY,
            "parent": parent_code,
            "region_type": RegionType.URBAN,
            "contact_phone": "0000-00000000",
            "office_hours": _("Monday to Friday, 8:30 to 17:30"),
            "address": _("Example road 1"),
        },
        {
            "record": PERSON,
            "unit": "example-community",
            "role": f"{Role.OFFICER};{Role.DUTY_OFFICER}",
            "username": "example.officer",
            "display_name": _("Example officer"),
        },
        {
            "record": ACCOUNT,
            "code": "example-wechat",
            "name": _("Example community WeChat account"),
            "unit": "example-community",
            "channel": ChannelKind.WECHAT,
            "app_id": "wx0000000000000000",
            "original_id": "gh_000000000000",
            "security_mode": SecurityMode.SAFE,
        },
    ]


def sample_csv(parent_code: str) -> bytes:
    """Return the sample as a UTF-8 CSV file that spreadsheet programs open as such."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sample_rows(parent_code):
        writer.writerow([row.get(name, "") for name in COLUMNS])
    # A byte-order mark, so that spreadsheet programs read the Chinese text as UTF-8.
    return "\ufeff".encode() + out.getvalue().encode()
