from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from beatdesk.units.models import RoleAssignment, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["code", "name", "kind", "region_type", "parent"]
    search_fields = ["code", "name"]


class RoleInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = [RoleInline]
