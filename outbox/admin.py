from django.contrib import admin

from .models import DeliveryAttempt, OutboxMessage, SlowDestination


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempted_at", "succeeded", "status_code", "detail", "duration_ms")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("topic", "channel", "recipient", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("channel", "status", "topic")
    search_fields = ("topic", "recipient", "dedupe_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = (DeliveryAttemptInline,)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(SlowDestination)
class SlowDestinationAdmin(admin.ModelAdmin):
    """Agencies whose webhooks the slow lane relays (set and cleared by the relay itself)."""

    list_display = ("agency_id", "marked_at", "until", "reason")
    readonly_fields = ("agency_id", "marked_at", "until", "reason")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
