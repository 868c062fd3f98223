"""What a case page shows of a resident's personal data: masked, unless asked and recorded.

Issue 6: phone, ID and card numbers, plates, e-mail addresses, house numbers and the names
a tip protects are masked on every screen by default. Seeing them whole is its own right
(`units.policy`, Action.UNMASK) and each showing is one audit record, so a leak can be
traced to the people who looked.

A sealed tipster (issue 5, `inbox.sealing`) goes further: their contact details, place and
shared location are left out altogether, whole or masked, unless a leader unsealed them.
"""

from dataclasses import dataclass

from beatdesk.checker.core import conceal
from beatdesk.checker.core.masking import mask_characters
from beatdesk.inbox.models import Direction, Message, MessageKind

# Portal contact fields, and how much of each stays visible when masked.
_CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "address")


@dataclass(frozen=True)
class Shown:
    """One message as the page shows it, and whether anything in it was masked or sealed."""

    text: str
    contact: dict[str, str]
    masked: bool
    sealed: bool = False


def shown(message: Message, *, whole: bool, sealed: bool = False) -> Shown:
    """Return the message's text and portal contact as the reader may see them now."""
    attributes = message.attributes or {}
    contact = {field: str(attributes.get(field) or "") for field in _CONTACT_FIELDS}
    if message.direction != Direction.INBOUND:
        return Shown(message.text, contact, False)
    if sealed:
        return _sealed(message, whole=whole)
    if whole:
        return Shown(message.text, contact, False)

    text = conceal(message.text)
    masked_contact = {field: _masked_field(field, value) for field, value in contact.items()}
    return Shown(text, masked_contact, text != message.text or masked_contact != contact)


def _sealed(message: Message, *, whole: bool) -> Shown:
    """Return a sealed tipster's message: its words, but nothing that says who or where."""
    # A shared location is where the sender stood; its text is the place's name.
    text = "" if message.kind == MessageKind.LOCATION else message.text
    shown_text = text if whole else conceal(text)
    empty = dict.fromkeys(_CONTACT_FIELDS, "")
    return Shown(shown_text, empty, shown_text != message.text, sealed=True)


def _masked_field(field: str, value: str) -> str:
    if not value:
        return value
    if field == "contact_name":
        # A name shows its first character, as 王** on a parcel slip.
        return mask_characters(value, keep_first=1, keep_last=0)
    concealed = conceal(value)
    # A bare phone or address the patterns do not recognise is still masked, keeping ends.
    return concealed if concealed != value else mask_characters(value, keep_first=3, keep_last=2)
