"""A refusal that tells the person why: 403 with a sentence written for them.

Django's PermissionDenied carries a message meant for developers, so the error page never
shows it. A ShownRefusal is raised with a translated sentence that names no person and no
message text; `beatdesk.errors.permission_denied` puts it on the 403 answer.
"""

from django.core.exceptions import PermissionDenied


class ShownRefusal(PermissionDenied):
    """The person can see the object but may not do this to it; the message says why."""
