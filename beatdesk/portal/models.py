"""What the portal keeps besides the inbox's own rows: photos and the Open311 records."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from beatdesk.core.secrets import EncryptedBinaryField


class PhotoManager(models.Manager["Photo"]):
    def get_queryset(self) -> "models.QuerySet[Photo]":
        # The bytes are read only when a photo is served, never to list photos on a page.
        return super().get_queryset().defer("data")


class Photo(models.Model):
    """A resident's photo, re-encoded without metadata, kept in the database.

    Bytes in the database rather than files under MEDIA_ROOT: one backup holds everything,
    and a photo can never be served by the web server past the case's visibility check.
    It belongs to the stored submission at once and to the inbox message once handed over.
    """

    delivery = models.ForeignKey(
        "channels.InboundDelivery", on_delete=models.PROTECT, related_name="portal_photos"
    )
    message = models.ForeignKey(
        "inbox.Message",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portal_photos",
    )
    position = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=16)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    data = EncryptedBinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PhotoManager()

    class Meta:
        ordering = ["delivery", "position"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "position"], name="unique_photo_position")
        ]

    def __str__(self) -> str:
        return f"photo {self.pk} ({self.content_type})"


class Jurisdiction(models.Model):
    """An Open311 jurisdiction_id and the unit that receives its requests for now.

    Until addresses pick the station, every request of a jurisdiction goes to one unit.
    """

    code = models.CharField(_("jurisdiction id"), max_length=100, unique=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Open311 jurisdiction")
        verbose_name_plural = _("Open311 jurisdictions")

    def __str__(self) -> str:
        return self.code


class ServiceRequest(models.Model):
    """An Open311 service request: its public id, linked to the stored submission.

    The public id is not the tracking code: request ids are listed publicly, tracking codes
    open the officers' answers and stay with the resident.
    """

    public_id = models.CharField(max_length=16, unique=True)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    delivery = models.OneToOneField(
        "channels.InboundDelivery", on_delete=models.PROTECT, related_name="service_request"
    )
    service_code = models.CharField(max_length=16)
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return self.public_id
