"""The alert template of a WeChat account: which template, and which field gets which part.

Alerts reach an officer's own WeChat as template messages, which need no 48-hour window.
An operator adds a template in the account's console and writes, into the account's
channel settings, its id and the names of the fields to fill:

    {"alert_template": {"id": "TEMPLATE_ID",
                        "fields": {"unit": "thing1", "case": "character_string2",
                                   "time": "time3"}}}

The parts are `unit` (the unit's name), `case` (the case number), `path` (the case's
address on the desk) and `time` (when it became an emergency, the unit's local time). A
part not named is left out. WeChat refuses a `thing` value over 20 characters and a
`character_string` over 32 (47003), so values are cut to fit by the field's type.
"""

import re
from dataclasses import dataclass
from typing import Any

from beatdesk.channels.models import Account

PARTS = ("unit", "case", "path", "time")
FIELD_NAME = re.compile(r"[a-z_]{1,32}[0-9]{0,3}")
TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# The longest value WeChat accepts per field type, in characters.
LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "letter": 32, "number": 32}


@dataclass(frozen=True)
class AlertTemplate:
    template_id: str
    fields: dict[str, str]


def alert_template_of(account: Account) -> AlertTemplate | None:
    """Read the account's alert template; None if it is missing or malformed."""
    settings: Any = account.channel_settings if isinstance(account.channel_settings, dict) else {}
    entry = settings.get("alert_template")
    if not isinstance(entry, dict):
        return None
    template_id, fields = str(entry.get("id", "")), entry.get("fields")
    if not TEMPLATE_ID.fullmatch(template_id) or not isinstance(fields, dict):
        return None
    chosen = {
        part: str(name)
        for part, name in fields.items()
        if part in PARTS and FIELD_NAME.fullmatch(str(name))
    }
    return AlertTemplate(template_id, chosen) if chosen else None


def has_alert_template(account: Account) -> bool:
    return alert_template_of(account) is not None


def _fit(field: str, value: str) -> str:
    kind = field.rstrip("0123456789")
    limit = LIMITS.get(kind)
    return value[:limit] if limit else value


def template_body(
    template: AlertTemplate, openid: str, parts: dict[str, Any], client_msg_id: str
) -> dict[str, Any]:
    """Return the wire body of the alert as a template message, without the token."""
    data = {
        field: {"value": _fit(field, str(parts.get(part, "")))}
        for part, field in template.fields.items()
    }
    return {
        "touser": openid,
        "template_id": template.template_id,
        "client_msg_id": client_msg_id,
        "data": data,
    }
