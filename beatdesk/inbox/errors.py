"""The inbox's one error for a refused action, shared by every module that acts on cases."""


class InboxError(Exception):
    """An inbox action was refused; the message is safe to show to the user."""
