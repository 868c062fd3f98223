from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

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


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = [RoleInline]
