"""The audit trail: one row per state change, holding ids only and never personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What people read in a history instead of the action code; a code without a label shows
# as itself, so a new action is never hidden.
ACTION_LABELS = {
    "case.opened": _("Case opened"),
    "case.answered": _("Answered"),
    "case.status": _("Status changed"),
    "message.received": _("Message received"),
    "answer.review_confirmed": _("Checker findings confirmed before sending"),
    "unit.created": _("Unit created"),
    "unit.moved": _("Unit moved"),
    "role.granted": _("Role granted"),
    "account.created": _("Account created"),
    "lexicon.imported": _("Lexicon imported"),
    "lexicon.term_set": _("Lexicon term saved"),
    "lexicon.term_allowed": _("Lexicon term allowed"),
    "lexicon.term_removed": _("Lexicon term removed"),
}


class AuditRecord(models.Model):
    """Who did what to which object at which unit, and when."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system acted on its own (a webhook, the worker)."),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Ids and codes only (a status, a role, another object's id); checked on write.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    @property
    def action_label(self) -> str:
        """Return the action in the reader's language."""
        label = ACTION_LABELS.get(self.action)
        return str(label) if label is not None else self.action
