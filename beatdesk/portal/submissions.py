"""A resident's submission in its typed form, and the canonical JSON that is stored raw.

The raw HTTP body is not what we keep: it holds the original photos with their GPS
position, and for an anonymous tip the contact details we promised not to store. What is
stored before we answer is this canonical record, with the photos' digests; the stripped
photos themselves are stored beside it in the same transaction.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from beatdesk.inbox.intake import IncomingMessage
from beatdesk.inbox.models import CaseType, MessageKind

# The types a resident may choose, and the menu key that makes that choice decide the type
# (`inbox.classification.rules`): the case records it as a menu choice, which an officer
# can still correct, and the emergency rules read the text whatever was chosen.
RESIDENT_TYPES: dict[str, str] = {
    CaseType.CONSULTATION: "MENU_CONSULT",
    CaseType.HELP: "MENU_HELP",
    CaseType.TIP: "MENU_TIP",
    CaseType.SUGGESTION: "MENU_SUGGEST",
    CaseType.COMPLAINT: "MENU_COMPLAIN",
}
# The spec of Open311 limits a description to 4,000 characters; the portal keeps the same.
MAX_TEXT = 4000


class PayloadError(ValueError):
    """A stored submission does not read back as one; it is kept for an operator."""


@dataclass(frozen=True)
class Submission:
    """What a resident sent, after validation; contact fields are empty when anonymous."""

    via: str
    case_type: str
    text: str
    sent_at: datetime
    name: str = ""
    phone: str = ""
    email: str = ""
    anonymous: bool = False
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    media_url: str = ""
    photos: tuple[str, ...] = field(default=())

    def without_contact(self) -> "Submission":
        """Return the submission with every contact detail dropped (an anonymous tip)."""
        return replace(self, name="", phone="", email="")

    def same_content(self, other: "Submission") -> bool:
        """Return whether two submissions say the same thing, whenever each was sent."""
        return replace(self, sent_at=other.sent_at) == other

    def to_json(self) -> str:
        data = asdict(self) | {"sent_at": self.sent_at.isoformat(), "photos": list(self.photos)}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def to_incoming(self, external_id: str) -> IncomingMessage:
        """Return the message the inbox receives: text, chosen type, and what else was given."""
        extras = {
            "via": self.via,
            "menu_key": RESIDENT_TYPES.get(self.case_type, ""),
            "anonymous": "yes" if self.anonymous else "",
            "contact_name": self.name,
            "contact_phone": self.phone,
            "contact_email": self.email,
            "address": self.address,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "media_url": self.media_url,
            "photos": str(len(self.photos)) if self.photos else "",
        }
        attributes = {key: value for key, value in extras.items() if value}
        return IncomingMessage(
            external_id=external_id,
            kind=MessageKind.TEXT,
            sent_at=self.sent_at,
            text=self.text,
            attributes=attributes,
        )


def parse_submission(payload: str) -> Submission:
    """Read a stored submission back; refuse anything that is not exactly one."""
    try:
        data = json.loads(payload)
        data["sent_at"] = datetime.fromisoformat(data["sent_at"])
        data["photos"] = tuple(str(digest) for digest in data["photos"])
        submission = Submission(**data)
    except (ValueError, KeyError, TypeError) as error:
        raise PayloadError(f"not a portal submission: {type(error).__name__}") from None
    if submission.case_type not in RESIDENT_TYPES:
        raise PayloadError("unknown message type")
    return submission


def resident_id_for(delivery_key: str) -> str:
    """Return the resident's opaque id: one per submission, derived from its delivery key.

    Never the phone number: anyone can type someone else's number, and joining their open
    case would show that case's tracking code, and so its answers, to a stranger.
    """
    return "web-" + hashlib.sha256(delivery_key.encode()).hexdigest()[:20]
