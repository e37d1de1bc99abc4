"""The outbox and its delivery log: written by the relay only, read-only here (kernel.admin)."""

from django.contrib import admin

from kernel.admin import ReadOnlyInline, ReadOnlyModelAdmin

from .models import DeliveryAttempt, OutboxMessage, SlowDestination


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    readonly_fields = ("attempted_at", "succeeded", "status_code", "detail", "duration_ms")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    list_display = ("topic", "channel", "recipient", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("channel", "status", "topic")
    search_fields = ("topic", "recipient", "dedupe_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = (DeliveryAttemptInline,)


@admin.register(SlowDestination)
class SlowDestinationAdmin(ReadOnlyModelAdmin):
    """Agencies whose webhooks the slow lane relays (set and cleared by the relay itself)."""

    list_display = ("agency_id", "marked_at", "until", "reason")
    readonly_fields = ("agency_id", "marked_at", "until", "reason")
