"""Who speaks in a group: the prefix a group answer carries before the officer's words.

In a group everyone reads every answer, so each one names the unit that gives it and the
officer who wrote it. QQ over OneBot and the official QQ bot both answer in groups.
"""

from django.conf import settings
from django.utils import translation

from beatdesk.channels.models import OutboxMessage
from beatdesk.inbox.models import Message
from beatdesk.units.models import Role


def _speaker(message: OutboxMessage) -> str:
    """Return who speaks in a group answer: the unit, and the officer who wrote it."""
    answer = Message.objects.filter(outbox=message).select_related("author", "case__unit").first()
    unit = message.account.unit
    if answer is not None and answer.case is not None:
        unit = answer.case.unit
    if answer is None or answer.author is None:
        return unit.name
    with translation.override(settings.LANGUAGE_CODE):
        name = answer.author.display_name or str(Role.OFFICER.label)
    # Display names often start with the officer's unit already ("北山派出所 赵警官").
    return name if name.startswith(unit.name) else f"{unit.name} {name}"


def group_text(message: OutboxMessage) -> str:
    """Return the answer as the group reads it, prefixed with who speaks.

    The final text is written into the outbox row before the first try, so every retry
    sends the same words and the row shows what the group was told.
    """
    final = message.payload.get("sent_text")
    if isinstance(final, str):
        return final
    final = f"【{_speaker(message)}】{message.payload.get('text', '')}"
    message.payload["sent_text"] = final
    OutboxMessage.objects.filter(pk=message.pk).update(payload=message.payload)
    return final
