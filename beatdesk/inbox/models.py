"""Residents, their messages, and the cases that need handling."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beatdesk.core.secrets import (
    BlindIndexField,
    EncryptedJSONField,
    EncryptedTextField,
    IndexedEncryptedTextField,
)


class Resident(models.Model):
    """One person on one channel account (a WeChat openid is per account)."""

    account = models.ForeignKey(
        "channels.Account", on_delete=models.PROTECT, related_name="residents"
    )
    # Encrypted: a QQ number or Weibo uid names a person. Found by equality through the index.
    external_id = IndexedEncryptedTextField(_("channel id"), index_field="external_id_index")
    external_id_index = BlindIndexField(source="external_id")
    # Later linking across channels points several records at one person.
    person_key = models.CharField(max_length=64, blank=True, db_index=True)
    is_following = models.BooleanField(default=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention purge replaced the channel id; such a resident is never found.
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id_index"], name="unique_resident"
            )
        ]

    def __str__(self) -> str:
        return self.masked_id

    @property
    def masked_id(self) -> str:
        """The channel id as shown on screen: enough to tell residents apart, no more."""
        value = self.external_id
        if len(value) <= 6:
            return "•" * len(value)
        return f"{value[:3]}•••{value[-2:]}"


class CaseType(models.TextChoices):
    UNCLASSIFIED = "unclassified", _("Not yet classified")
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Help request")
    TIP = "tip", _("Tip")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    DISPUTE = "dispute", _("Dispute needing mediation")
    PRAISE = "praise", _("Praise")
    CHAT = "chat", _("Chat")
    SPAM = "spam", _("Spam")
    NOT_POLICE = "not_police", _("Not a police matter")


class TypeSource(models.TextChoices):
    """Who decided a case's type: officers' corrections train the next classifier."""

    NONE = "", _("Nobody yet")
    AUTOMATIC = "automatic", _("Automatic")
    MENU = "menu", _("Menu choice")
    OFFICER = "officer", _("Officer")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the resident")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = [CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.REOPENED]


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    URGENT = 1, _("Urgent")
    EMERGENCY = 2, _("Emergency")


# What every screen and export shows instead of a sealed tipster's channel id.
SEALED_RESIDENT = _("Anonymous tipster (sealed)")


class Case(models.Model):
    """What needs handling: one resident's matter on one account, owned by one unit."""

    account = models.ForeignKey("channels.Account", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="cases")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    case_type = models.CharField(
        _("type"), max_length=16, choices=CaseType.choices, default=CaseType.UNCLASSIFIED
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    type_source = models.CharField(
        _("type decided by"), max_length=12, choices=TypeSource.choices, blank=True
    )
    # The classifier's confidence in an automatic type, 0 to 1; empty once an officer set it.
    type_confidence = models.FloatField(_("confidence"), null=True, blank=True)
    # For a matter that is not the police's: the department a handover should go to.
    handover_department = models.CharField(_("handover to"), max_length=32, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    # Why the case was raised to an emergency (violence, fire...), and who has seen it; an
    # open emergency nobody has acknowledged stays on every covering officer's screen.
    emergency_reason = models.CharField(_("emergency"), max_length=24, blank=True)
    emergency_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    emergency_acknowledged_at = models.DateTimeField(null=True, blank=True)
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(db_index=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Computed with the deadline (inbox.schedule); the minute sweep acts on them once each.
    reminder_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # True when the deadline reaches into a year whose holiday calendar is not installed yet.
    deadline_provisional = models.BooleanField(default=False)
    # An extension: the deadline counts this many working days from arrival, for this reason.
    deadline_extended_to = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_extension_reason = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when the knowledge base answered the resident; writing again soon reopens it.
    auto_answered_at = models.DateTimeField(null=True, blank=True)
    auto_answer_entry = models.CharField(max_length=64, blank=True)
    # The knowledge entries proposed to the officer as one-click answers, best first.
    proposals = models.JSONField(default=list, blank=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    # An anonymous tip: who sent it is sealed on every screen, list and export
    # (inbox.sealing); only a recorded unsealing shows it. Never cleared once set.
    tipster_sealed = models.BooleanField(_("tipster sealed"), default=False)
    # When the resident last reopened the case: its deadline counts from here from then on.
    reopened_at = models.DateTimeField(null=True, blank=True)
    # The earlier case of the same resident this one continues, written after its reopening
    # period had passed.
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="followed_by"
    )
    # Set when an officer merged this case into another: its messages moved there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )

    class Meta:
        ordering = ["-priority", "-last_message_at"]
        constraints = [
            # A resident has at most one open case per account; new messages join it.
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_case_per_resident",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def resident_label(self) -> str:
        """The resident as lists, pages and exports name them: masked, or sealed."""
        return str(SEALED_RESIDENT) if self.tipster_sealed else self.resident.masked_id


class Direction(models.TextChoices):
    INBOUND = "in", _("From the resident")
    OUTBOUND = "out", _("To the resident")


class MessageKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Picture")
    VOICE = "voice", _("Voice")
    VIDEO = "video", _("Video")
    LOCATION = "location", _("Location")
    LINK = "link", _("Link")
    EVENT = "event", _("Event")
    UNKNOWN = "unknown", _("Unsupported")


class Message(models.Model):
    """One message of a conversation (a resident's messages on one account)."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="messages")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    # What the resident wrote, and the typed fields of the channel message (coordinates,
    # media id, the portal's contact details): encrypted, so a dump of the database holds
    # none of it.
    text = EncryptedTextField(blank=True)
    attributes = EncryptedJSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(db_index=True)
    delivery = models.OneToOneField(
        "channels.InboundDelivery",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="message",
    )
    outbox = models.OneToOneField(
        "channels.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="message",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_automatic = models.BooleanField(default=False)
    # An officer's "we received it and are checking" on a tip or help request not yet
    # verified; the final answer comes after the verification (inbox.verification).
    is_interim = models.BooleanField(default=False)
    # The answer form's one-time token: the same form sent twice (a double click, a resent
    # page) writes its answer once.
    submission = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "submission"],
                condition=~Q(submission=""),
                name="one_answer_per_submission",
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.direction}, {self.kind})"


class ClassifierModel(models.Model):
    """A trained message classifier, shared by every process; the newest one is in use.

    Kept in the database rather than in a file so that workers on several machines use
    the same model; `beatdesk train-classifier` adds one.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipped_examples = models.PositiveIntegerField()
    corrections = models.PositiveIntegerField()
    # The model's own JSON format (`classification.Model.to_json`); never pickle.
    model = models.TextField()

    class Meta:
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"classifier {self.pk} ({self.shipped_examples}+{self.corrections})"


class CasePause(models.Model):
    """A stretch of waiting for the resident: the deadline clock stands still meanwhile."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_at:%Y-%m-%d %H:%M}"


class KnowledgeLayer(models.Model):
    """A unit's own knowledge entries (TOML), laid over the shipped common entries and the
    layers of the units above it; `stamp` changes with every edit, for the caches."""

    unit = models.OneToOneField("units.Unit", on_delete=models.PROTECT, related_name="knowledge")
    source = models.TextField()
    version = models.PositiveIntegerField(default=1)
    stamp = models.UUIDField(default=uuid.uuid4)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"knowledge {self.unit_id} v{self.version}"


class FollowUpKind(models.TextChoices):
    MEDIATION = "mediation", _("Mediation session")
    VISIT = "visit", _("Follow-up visit")
    CALL = "call", _("Follow-up call")


class MediationOutcome(models.TextChoices):
    AGREED = "agreed", _("Agreement reached")
    HOLDING = "holding", _("Agreement holding")
    PARTLY = "partly", _("Partly settled")
    FAILED = "failed", _("No agreement")
    REFERRED = "referred", _("Referred to a mediation committee or court")


class FollowUp(models.Model):
    """A mediation session or a follow-up visit or call on a dispute, as the officer records it.

    A dispute is not settled by one answer: the parties meet, agree or not, and the officer
    comes back later to see that the agreement holds. `next_on` is when to come back.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("what happened"), max_length=16, choices=FollowUpKind.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=MediationOutcome.choices)
    happened_on = models.DateField(_("on"))
    # Officers write who met and what was agreed: masked on screen and encrypted at rest.
    note = EncryptedTextField(_("note"), max_length=1000)
    next_on = models.DateField(_("next follow-up on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "units.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["next_on"], name="follow_up_next_on")]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


class HolidayNotice(models.Model):
    """A year's holiday notice installed after release (`beatdesk import-calendar`).

    The State Council publishes each year's holidays in the autumn before; keeping the file
    here lets an administrator install it without a new version, and it replaces a shipped
    file of the same year.
    """

    calendar = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    source = models.TextField()
    installed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="one_notice_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.calendar}-{self.year}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the other unit")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class CaseTransfer(models.Model):
    """One unit asking another to take a case; the case stays put until the other accepts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            # One open request at a time, so a case is never promised to two units at once.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="one_pending_transfer_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_unit_id} -> {self.to_unit_id} ({self.status})"


class CannedAnswer(models.Model):
    """A ready answer a unit keeps for questions its officers meet again and again.

    Officers of a unit see its own canned answers and those of every unit above it, so a
    province writes the common ones once and a station adds its local ones. Retired answers
    stay for the record of who wrote what.
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="canned")
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("answer"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ReadMark(models.Model):
    """How far one person has read one case: the newest resident's message they were shown.

    A case is unread for them while it holds an inbound message with a larger id. Message
    ids only grow, so one number per person and case is enough, and answers (outbound)
    never make a case unread again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_marks"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="read_marks")
    seen_up_to = models.PositiveBigIntegerField(default=0)
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="one_read_mark_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.case_id} up to {self.seen_up_to}"


class VerificationMethod(models.TextChoices):
    CALL_BACK = "call_back", _("Called the resident back")
    VISIT = "visit", _("Visited the place")
    RECORDS = "records", _("Checked police records")
    OTHER = "other", _("Other (described in the note)")


class VerificationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    UNFOUNDED = "unfounded", _("Unfounded")
    DEPARTMENT = "department", _("Transferred to another department")
    CRIMINAL_CASE = "criminal_case", _("Transferred to a criminal case")


class Verification(models.Model):
    """How an officer checked a tip or help request, and what they found.

    A case may be verified more than once (a reopened tip is checked again); the newest
    record is the one that counts. The criminal case number is for staff only: it is
    never put in an answer, an export or an audit record.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="verifications")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(
        _("how it was checked"), max_length=12, choices=VerificationMethod.choices
    )
    # Officers write whom they called and what they heard: encrypted like messages.
    note = EncryptedTextField(_("note"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=VerificationOutcome.choices)
    department = models.CharField(_("department"), max_length=60, blank=True)
    criminal_case_number = models.CharField(_("criminal case number"), max_length=40, blank=True)

    class Meta:
        ordering = ["verified_at", "id"]
        get_latest_by = ["verified_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome}"


class UnsealReason(models.TextChoices):
    VERIFY = "verify", _("The tip cannot be verified without the tipster")
    PROTECT = "protect", _("The tipster may be in danger and needs protection")
    LEGAL = "legal", _("A court, procuratorate or supervisory body asks for it in writing")
    OTHER = "other", _("Other (explained below)")


class Unsealing(models.Model):
    """One showing of a sealed tipster to a leader, and the reason they typed for it.

    The audit record holds the category and the reason's length only: a reason may name
    the tipster, so its text stays here, shown to those who may unseal.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="unsealings")
    unsealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unsealed_at = models.DateTimeField(auto_now_add=True)
    category = models.CharField(_("why"), max_length=10, choices=UnsealReason.choices)
    reason = EncryptedTextField(_("reason"), max_length=300)

    class Meta:
        ordering = ["unsealed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} unsealed ({self.category})"


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("Tracking page")
    CHAT = "chat", _("Reply in the chat")


class CaseRating(models.Model):
    """The resident's rating of how their answered case was handled, from 1 to 5.

    One per case: a later rating within the window replaces the score, and every rating
    is on the audit trail, so the replaced score can still be read there.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("rating"))
    channel = models.CharField(max_length=8, choices=RatingChannel.choices)
    # The resident's message that carried a chat rating, kept in the conversation.
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField()
    times_rated = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_from_one_to_five"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"


class DuplicateReason(models.TextChoices):
    RESIDENT = "resident", _("the same resident")
    PLACE = "place", _("the same place at about the same time")
    TEXT = "text", _("nearly the same words")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Proposed")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Dismissed")


class DuplicateProposal(models.Model):
    """A guess that two open cases of one unit are the same matter, for an officer to decide.

    `case` is the newer case, the one whose message raised the guess; `other` the older.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="duplicate_proposals")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=DuplicateReason.choices)
    # How alike the texts are (0 to 1) or how far apart the places (metres), for the page.
    measure = models.FloatField(null=True, blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "other"], name="one_proposal_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.other_id} ({self.reason}, {self.status})"
