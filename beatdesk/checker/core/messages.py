"""Mark the checker's own reasons for translation without importing Django.

Reasons are English message ids. Django's makemessages extracts every `gettext_noop(...)`
call, and the web layer translates a finding's reason when it shows it. Reasons that come
from a lexicon are written by its editors in their own language and pass through unchanged.
"""


def gettext_noop(message: str) -> str:
    """Return the message unchanged; the name is what marks it for extraction."""
    return message
