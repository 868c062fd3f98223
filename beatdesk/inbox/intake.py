"""The common form in which every channel adapter hands a resident's message to the inbox."""

from dataclasses import dataclass, field
from datetime import datetime

from beatdesk.inbox.models import MessageKind


class Event:
    """Channel events the inbox understands, whatever case the platform spells them in."""

    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    CLICK = "click"
    VIEW = "view"
    LOCATION = "location"
    SCAN = "scan"


@dataclass(frozen=True)
class IncomingMessage:
    """A parsed resident message or event; text is already free of illegal characters."""

    external_id: str
    kind: MessageKind
    sent_at: datetime
    text: str = ""
    event: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def opens_case(self) -> bool:
        """Messages with content are matters to handle; events and unknown types are not."""
        return self.kind not in {MessageKind.EVENT, MessageKind.UNKNOWN}
