"""The audit trail: one row per state change, holding ids only and never personal data."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beatdesk.audit.chain import record_hash

# What people read in a history instead of the action code; a code without a label shows
# as itself, so a new action is never hidden.
ACTION_LABELS = {
    "case.opened": _("Case opened"),
    "case.answered": _("Answered"),
    "case.status": _("Status changed"),
    "message.received": _("Message received"),
    "answer.review_confirmed": _("Checker findings confirmed before sending"),
    "case.classified": _("Typed automatically"),
    "case.type_set": _("Type set by an officer"),
    "case.emergency": _("Raised to an emergency"),
    "case.emergency_seen": _("Emergency acknowledged"),
    "case.reminded": _("Deadline reminder"),
    "case.escalated": _("Escalated after the deadline"),
    "case.deadline_extended": _("Deadline extended"),
    "case.auto_answered": _("Answered from the knowledge base"),
    "case.viewed": _("Case read"),
    "case.routed": _("Routed to the unit of the place named"),
    "case.assigned": _("Assigned to an officer"),
    "case.duty_alerted": _("Duty officer alerted"),
    "case.alert_queued": _("Alert sent to an officer's own WeChat or QQ"),
    "binding.code_issued": _("Binding code made"),
    "binding.created": _("WeChat or QQ bound for alerts"),
    "binding.removed": _("WeChat or QQ binding removed"),
    "case.transfer_requested": _("Another unit asked to take the case"),
    "case.transfer_accepted": _("Transfer accepted"),
    "case.transfer_declined": _("Transfer declined"),
    "case.rated": _("Rated by the resident"),
    "case.reopened": _("Reopened by the resident"),
    "case.duplicate_proposed": _("Proposed as a possible duplicate"),
    "case.duplicate_dismissed": _("Duplicate proposal dismissed"),
    "case.merged": _("Another case merged into this one"),
    "case.merged_into": _("Closed as merged into another case"),
    "duty.added": _("Duty shift added"),
    "duty.removed": _("Duty shift removed"),
    "unit.round_robin": _("Automatic assignment in turn switched"),
    "unit.areas_imported": _("Unit areas imported"),
    "canned_answer.added": _("Canned answer added"),
    "canned_answer.retired": _("Canned answer retired"),
    "user.signed_in": _("Signed in"),
    "user.second_factor_enrolled": _("Set up a sign-in app"),
    "user.second_factor_reset": _("Sign-in app reset"),
    "unit.created": _("Unit created"),
    "unit.moved": _("Unit moved"),
    "role.granted": _("Role granted"),
    "role.changed": _("Role changed"),
    "role.revoked": _("Role revoked"),
    "user.security_changed": _("Security settings of a person changed"),
    "account.created": _("Account created"),
    "matrix.imported": _("Matrix file imported"),
    "cases.exported": _("Cases exported"),
    "case.unmasked": _("Personal data shown"),
    "case.verified": _("Verification recorded"),
    "case.sealed": _("Tipster sealed"),
    "case.unsealed": _("Sealed tipster shown"),
    "case.purged": _("Personal data removed after the retention period"),
    "lexicon.imported": _("Lexicon imported"),
    "lexicon.term_set": _("Lexicon term saved"),
    "lexicon.term_allowed": _("Lexicon term allowed"),
    "lexicon.term_removed": _("Lexicon term removed"),
}


class AuditRecord(models.Model):
    """Who did what to which object at which unit, and when."""

    # Set by `audit.actions.record` before hashing, so the hash covers the stored time.
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
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
    # The chain: records are numbered without gaps, and each hash covers the record and the
    # hash before it, so an edit, deletion, insertion or reordering shows in verification.
    sequence = models.PositiveBigIntegerField(unique=True, null=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def compute_hash(self) -> str:
        """Return the hash of this record's content chained to `previous_hash`."""
        assert self.sequence is not None
        return record_hash(
            self.previous_hash,
            sequence=self.sequence,
            at=self.at,
            actor_id=self.actor_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            unit_id=self.unit_id,
            details=self.details,
        )

    @property
    def action_label(self) -> str:
        """Return the action in the reader's language."""
        label = ACTION_LABELS.get(self.action)
        return str(label) if label is not None else self.action


class AuditChainHead(models.Model):
    """The one row that holds the newest record's number and hash.

    Writers lock it to append, so records are numbered in commit order without gaps.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash[:12]}"
