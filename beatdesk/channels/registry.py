"""One table from channel kind to its adapter; adding a channel touches no other app."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from beatdesk.channels.models import Account, AttemptOutcome, InboundDelivery, OutboxMessage


@dataclass(frozen=True)
class SendResult:
    """What the channel said about one attempt; `detail` never holds message text.

    A sent post names what the platform made of it: its id and its public link.
    `about_recipient` marks a permanent error that concerns only the one recipient (they
    stopped following the account), so the account itself is not flagged.
    """

    outcome: AttemptOutcome
    error_code: str = ""
    detail: str = ""
    external_id: str = ""
    external_url: str = ""
    about_recipient: bool = False


class ChannelAdapter(Protocol):
    kind: str

    def window_allows(self, message: OutboxMessage, now: datetime) -> bool:
        """Return whether the channel's own limits let this message go out now."""
        ...

    def send(self, message: OutboxMessage) -> SendResult:
        """Send one outbox message and classify the outcome."""
        ...

    def note_inbound(self, account: Account, external_id: str, at: datetime) -> None:
        """Record that a resident wrote, which reopens the channel's sending window."""
        ...

    def process_delivery(self, delivery: InboundDelivery) -> str:
        """Hand a stored inbound delivery to the inbox once; return any immediate reply."""
        ...

    def is_one_to_one(self, external_id: str) -> bool:
        """Return whether only this resident reads what we write to them (no group, no
        public comment): only there is a resident asked to rate an answer in the chat."""
        ...


class UnknownChannel(LookupError):
    """No adapter is registered for this channel kind."""


_adapters: dict[str, ChannelAdapter] = {}


def register(adapter: ChannelAdapter) -> ChannelAdapter:
    """Make the adapter the one that serves its channel kind."""
    _adapters[adapter.kind] = adapter
    return adapter


def adapter_for(kind: str) -> ChannelAdapter:
    """Return the adapter for a channel kind."""
    try:
        return _adapters[kind]
    except KeyError:
        raise UnknownChannel(kind) from None


def is_one_to_one(kind: str, external_id: str) -> bool:
    """Return whether a resident's conversation on a channel of this kind is private."""
    adapter = _adapters.get(kind)
    return adapter is not None and adapter.is_one_to_one(external_id)
