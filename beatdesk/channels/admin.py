from django.contrib import admin

from beatdesk.channels.models import Account, InboundDelivery, OutboxMessage


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ["code", "kind", "name", "unit", "security_mode", "needs_attention"]
    # Credentials are set through `beatdesk` commands, never shown back.
    exclude = ["credentials"]


@admin.register(InboundDelivery)
class DeliveryAdmin(admin.ModelAdmin[InboundDelivery]):
    list_display = ["pk", "account", "status", "received_at", "error"]
    list_filter = ["status"]
    exclude = ["raw_body", "payload"]


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = ["pk", "account", "status", "attempts", "last_error_code", "created_at"]
    list_filter = ["status"]
    exclude = ["payload", "recipient"]
