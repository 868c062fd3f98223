"""The matrix: a tree of units of any depth, and the people who hold roles at them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from beatdesk.core.secrets import EncryptedTextField


class UnitKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    PROVINCE = "province", _("Provincial department")
    CITY = "city", _("City bureau")
    COUNTY = "county", _("County or district bureau")
    STATION = "station", _("Police station")
    COMMUNITY = "community", _("Community police office")
    CENTER = "center", _("Network center")


class RegionType(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    MIXED = "mixed", _("Mixed")


class Unit(models.Model):
    """A unit of the matrix; `path` holds the ids from the root so a subtree is one query."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    region_type = models.CharField(
        _("region type"), max_length=8, choices=RegionType.choices, default=RegionType.URBAN
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=1000, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    contact_phone = models.CharField(_("public contact phone"), max_length=32, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=100, blank=True)
    address = models.CharField(_("public address"), max_length=200, blank=True)
    # New cases go in turn to the officers on duty that day instead of waiting for a pick.
    round_robin = models.BooleanField(
        _("assign new cases in turn to the duty officers"), default=False
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        """Save, then keep `path` and `depth` of the unit and its whole subtree in step.

        A new parent moves the subtree with it in one UPDATE, so role coverage and case
        visibility follow the move at once. Call inside a transaction when moving.
        """
        if self.pk is not None and self.parent is not None:
            self._refuse_cycle(self.parent)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

        parent_path = self.parent.path if self.parent else "/"
        path = f"{parent_path}{self.pk}/"
        depth = parent_path.count("/") - 1
        if (path, depth) == (self.path, self.depth):
            return
        old_path, old_depth = self.path, self.depth
        self.path, self.depth = path, depth
        if not old_path:
            Unit.objects.filter(pk=self.pk).update(path=path, depth=depth)
            return
        Unit.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (depth - old_depth),
        )

    def _refuse_cycle(self, parent: "Unit") -> None:
        # The parent's stored path lists its ancestors; this unit among them means a loop.
        if parent.pk == self.pk or f"/{self.pk}/" in parent.path:
            raise ValueError(f"unit {self.code!r} cannot be placed under itself or its own unit")

    def ancestors(self) -> "models.QuerySet[Unit]":
        """Return the unit and every unit above it, root first."""
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Unit.objects.filter(pk__in=ids).order_by("depth")


class User(AbstractUser):
    """A member of staff; what they may see follows their role assignments, never this row."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    police_number = models.CharField(_("police number"), max_length=32, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    OPERATOR = "operator", _("Account operator")
    APPROVER = "approver", _("Approver")
    LEADER = "leader", _("Leader")
    CENTER_STAFF = "center_staff", _("Network center staff")
    INSPECTOR = "inspector", _("Inspector")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class RoleAssignment(models.Model):
    """A role a person holds at a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_at_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.unit.code}"


class ApiToken(models.Model):
    """A personal token for scripts calling the API as this user; only its digest is kept.

    The token is shown once when created. A request with `Authorization: Bearer <token>`
    acts as the user, with exactly the user's roles; revoking stops it at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters, so that people can tell their tokens apart without the secret.
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class AreaKeyword(models.Model):
    """A place name (community, street, village, landmark) inside a unit's area."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="area_keywords")
    keyword = models.CharField(_("place name"), max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "keyword"], name="unique_area_keyword")
        ]

    def __str__(self) -> str:
        return f"{self.keyword} @ {self.unit.code}"


class AreaPolygon(models.Model):
    """A named outline of part of a unit's area, as [longitude, latitude] points in WGS-84."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="area_polygons")
    name = models.CharField(_("name"), max_length=64)
    points = models.JSONField(_("points"), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="unique_area_polygon")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.unit.code}"


class DutyShift(models.Model):
    """A person on duty for a unit on one day: alerted for emergencies, given cases in turn."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="duty_shifts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="duty_shifts")
    day = models.DateField(_("day"))
    # When this shift last got a case in turn; the longest-waiting shift gets the next one.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "unit", "user"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "user", "day"], name="unique_duty_shift")
        ]

    def __str__(self) -> str:
        return f"{self.user} on duty @ {self.unit.code} {self.day:%Y-%m-%d}"


class SecondFactor(models.Model):
    """A staff member's authenticator secret: the second step of every sign-in."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor")
    secret = EncryptedTextField()
    # Empty until the first code from the app matched: only then does it guard sign-in.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The newest 30-second step whose code was accepted; older and equal steps are refused.
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"second factor of user {self.user_id}"
