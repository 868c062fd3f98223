"""The matrix: a tree of units of any depth, and the people who hold roles at them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        """Save, then keep `path` and `depth` in step with the parent."""
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        parent_path = self.parent.path if self.parent else "/"
        path = f"{parent_path}{self.pk}/"
        depth = parent_path.count("/") - 1
        if (path, depth) != (self.path, self.depth):
            self.path, self.depth = path, depth
            Unit.objects.filter(pk=self.pk).update(path=path, depth=depth)

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
