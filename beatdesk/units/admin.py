from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from beatdesk.audit.actions import record
from beatdesk.units.models import AreaKeyword, AreaPolygon, DutyShift, RoleAssignment, Unit, User


class AreaKeywordInline(admin.TabularInline[AreaKeyword, Unit]):
    model = AreaKeyword
    extra = 0


class AreaPolygonInline(admin.TabularInline[AreaPolygon, Unit]):
    model = AreaPolygon
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["code", "name", "kind", "region_type", "parent"]
    search_fields = ["code", "name"]
    # Areas normally come from `beatdesk import-areas`, which also audits the change.
    inlines = [AreaKeywordInline, AreaPolygonInline]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin[DutyShift]):
    list_display = ["day", "unit", "user"]
    list_filter = ["day"]


class RoleInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0


# Fields of a person that decide what they may do; a change to any of them is audited.
SECURITY_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    """People and their roles; every change to what someone may do goes on the audit trail."""

    inlines = [RoleInline]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = sorted(set(form.changed_data) & set(SECURITY_FIELDS))
        if change and changed:
            record("user.security_changed", obj, actor=_actor(request), fields=",".join(changed))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Deleting clears an object's id, so the revoked roles are noted before saving.
        revoked = [
            (deleted.instance.pk, deleted.instance.unit, deleted.instance.role)
            for deleted in getattr(formset, "deleted_forms", [])
            if formset.model is RoleAssignment and deleted.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)
        if formset.model is not RoleAssignment:
            return
        actor = _actor(request)
        for assignment in formset.new_objects:
            _record_role("role.granted", assignment, actor)
        for assignment, _fields in formset.changed_objects:
            _record_role("role.changed", assignment, actor)
        for pk, unit, role in revoked:
            record("role.revoked", form.instance, actor=actor, unit=unit, assignment=pk, role=role)


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _record_role(action: str, assignment: RoleAssignment, actor: User | None) -> None:
    record(
        action,
        assignment,
        actor=actor,
        unit=assignment.unit,
        user=assignment.user_id,
        role=assignment.role,
    )
