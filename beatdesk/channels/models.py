"""Channel accounts, the raw inbound record, and the outbox every outgoing message passes.

These models know nothing of cases: the inbox builds on them, and each adapter (one folder
per channel kind) hands what it parsed to the inbox's actions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beatdesk.core.secrets import (
    BlindIndexField,
    EncryptedBinaryField,
    EncryptedJSONField,
    EncryptedTextField,
    IndexedEncryptedTextField,
)


class ChannelKind(models.TextChoices):
    WECHAT = "wechat", _("WeChat Official Account")
    ONEBOT = "onebot", _("QQ groups (OneBot v11)")
    QQBOT = "qqbot", _("QQ official bot")
    WEIBO = "weibo", _("Weibo")
    PORTAL = "portal", _("Public web portal")


class SecurityMode(models.TextChoices):
    SAFE = "safe", _("Safe mode (encrypted)")
    COMPATIBLE = "compatible", _("Compatible mode")
    PLAIN = "plain", _("Plain mode (unencrypted, body not signed)")


class Account(models.Model):
    """A channel identity owned by a unit (organ account) or an officer (individual account)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="accounts")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="individual_accounts",
        help_text=_("Set for an officer's individual account; empty for an organ account."),
    )
    # Public identifiers of the account on its platform (a WeChat appid and gh_ id).
    app_id = models.CharField(_("app id"), max_length=64, blank=True)
    original_id = models.CharField(_("original id"), max_length=64, blank=True)
    # Token, AES key, app secret: JSON, encrypted at rest, read through the adapter.
    credentials = EncryptedTextField(_("credentials"), blank=True, default="")
    # Settings of the channel that are not secret, read through the adapter (for QQ
    # groups: the officers' QQ numbers and each group's keywords).
    channel_settings = models.JSONField(_("channel settings"), default=dict, blank=True)
    security_mode = models.CharField(
        _("security mode"), max_length=16, choices=SecurityMode.choices, default=SecurityMode.SAFE
    )
    plain_mode_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_account_reason = models.CharField(
        _("reason for a second account on this platform"), max_length=300, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    needs_attention = models.CharField(_("needs attention"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            # One organ account per unit per platform, unless a reason overrides it.
            models.UniqueConstraint(
                fields=["unit", "kind"],
                condition=Q(owner__isnull=True, second_account_reason=""),
                name="one_organ_account_per_unit_and_platform",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def endpoint(self) -> str:
        """Return where the account's platform reaches us; residents, for the portal."""
        if self.kind == ChannelKind.PORTAL:
            return f"/write/?station={self.unit.code}"
        return f"/hooks/{self.kind}/{self.code}/"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not yet processed")
    PROCESSED = "processed", _("Processed")
    UNPARSABLE = "unparsable", _("Stored raw; could not be parsed")


class InboundDelivery(models.Model):
    """The exact bytes a channel delivered, committed before anything is acknowledged."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="deliveries")
    # What makes a retry recognisable: per channel, e.g. sender and message id. A sender's
    # id appears only as its keyed digest (`core.secrets.pseudonym`).
    delivery_key = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Both encrypted at rest: they hold everything the resident sent.
    raw_body = EncryptedBinaryField()
    # The parsed payload after decryption and removal of illegal characters; empty if none.
    payload = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    # The automatic answer the inbox step owed the resident (sent through the outbox).
    reply = models.TextField(blank=True)
    # The 110 answer the acknowledgement itself carried, found by the rules alone before the
    # inbox step ran: a retry is answered with it again and the worker never sends it twice.
    emergency_answer = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "delivery_key"], name="unique_delivery")
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"delivery {self.pk} on {self.account_id}"


class WebhookNonce(models.Model):
    """A nonce seen inside the timestamp window, kept to refuse replays with another body."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    timestamp = models.BigIntegerField()
    body_digest = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "nonce", "timestamp"], name="unique_nonce")
        ]

    def __str__(self) -> str:
        return f"nonce {self.pk}"


class ChannelContact(models.Model):
    """Per resident and account: what the channel's sending window depends on."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    external_id = IndexedEncryptedTextField(index_field="external_id_index")
    external_id_index = BlindIndexField(source="external_id")
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    sent_since_inbound = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id_index"], name="unique_contact")
        ]

    def __str__(self) -> str:
        return f"contact {self.pk}"


class AccessToken(models.Model):
    """A platform access token, held once for every process and refreshed ahead of expiry."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="access_token")
    token = EncryptedTextField(blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token of account {self.account_id}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    HELD = "held", _("Held until the resident writes again")
    FAILED = "failed", _("Failed permanently")
    # A post the platform will not take from us: a person publishes it and records the link.
    MANUAL = "manual", _("Awaiting manual publication")
    ABANDONED = "abandoned", _("Abandoned by an operator")


class ErrorKind(models.TextChoices):
    TEMPORARY = "temporary", _("Temporary: will be retried")
    PERMANENT = "permanent", _("Permanent: needs an operator")
    WINDOW = "window", _("Outside the channel's sending window")


class OutboxMessage(models.Model):
    """A message to go out, written in the same transaction as the decision to send it."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="outbox")
    # Encrypted like the resident's own rows: who gets what we answer is personal too.
    recipient = IndexedEncryptedTextField(index_field="recipient_index")
    recipient_index = BlindIndexField(source="recipient")
    kind = models.CharField(max_length=16, default="text")
    payload = EncryptedJSONField(default=dict)
    idempotency_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error_kind = models.CharField(max_length=16, choices=ErrorKind.choices, blank=True)
    last_error_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the platform made of a sent post: its id (as text, Weibo's pass 2^53) and link.
    external_id = models.CharField(max_length=64, blank=True)
    external_url = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"outbox {self.pk} {self.status}"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    TEMPORARY = "temporary", _("Temporary error")
    PERMANENT = "permanent", _("Permanent error")
    WINDOW = "window", _("Window closed")
    MANUAL = "manual", _("Handed to a person to publish")


class DeliveryAttempt(models.Model):
    """One try at sending an outbox message, kept so operators see what happened."""

    outbox = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="attempts_log"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    error_code = models.CharField(max_length=32, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.pk} {self.outcome}"


class PollCursor(models.Model):
    """Where polling a channel's stream stands, for channels that are read rather than pushed.

    Ids are text: Weibo's exceed 2^53. `since_id` is the newest item stored for good; an
    unfinished walk down through older pages remembers where it stopped (`resume_max_id`)
    and the newest item it began from (`walk_top_id`), so a bounded poll never skips a gap.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="poll_cursors")
    stream = models.CharField(max_length=32)
    since_id = models.CharField(max_length=32, blank=True)
    resume_max_id = models.CharField(max_length=32, blank=True)
    walk_top_id = models.CharField(max_length=32, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "stream"], name="unique_poll_cursor")
        ]

    def __str__(self) -> str:
        return f"cursor {self.stream} of account {self.account_id}"


class StaffBinding(models.Model):
    """A member of staff's own WeChat or QQ on one of their units' accounts, for alerts.

    `external_id` is how the account's outbox addresses them: an OpenID on WeChat,
    `private:<qq>` on QQ. It is the officer's own contact, never shown to anyone else.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_bindings"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bindings")
    external_id = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when an alert failed for good (the officer unfollowed, the template is wrong).
    needs_attention = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One WeChat or QQ reaches one member of staff through one account.
            models.UniqueConstraint(fields=["account", "external_id"], name="unique_binding")
        ]

    def __str__(self) -> str:
        return f"binding {self.pk} of user {self.user_id}"

    @property
    def shown_id(self) -> str:
        """Return the end of the WeChat or QQ id, enough for its owner to recognise it."""
        return "…" + self.external_id.rpartition(":")[2][-4:]

    @property
    def failed_code(self) -> str:
        """Return the error code of the alert that failed for good, if one did."""
        return self.needs_attention.partition(":")[2]


class BindingCode(models.Model):
    """A one-time code a member of staff sends from their own WeChat or QQ to bind it.

    Only a keyed hash is kept: whoever reads the table cannot send a code themselves.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="binding_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"binding code {self.pk}"


class BindingAttempt(models.Model):
    """One code sent to an account, kept briefly to slow down anyone guessing codes.

    The sender is kept as a keyed hash: counting their tries needs no readable id.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    sender_hash = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["account", "sender_hash", "at"])]

    def __str__(self) -> str:
        return f"binding attempt {self.pk}"
