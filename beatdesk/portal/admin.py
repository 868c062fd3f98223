from django.contrib import admin

from beatdesk.portal.models import Jurisdiction


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin[Jurisdiction]):
    list_display = ["code", "unit", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
