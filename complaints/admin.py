from django.contrib import admin

from kernel.admin import ReadOnlyInline, ReadOnlyModelAdmin

from .models import CaseEvent, Complaint


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("created_at", "actor_label", "kind", "from_status", "to_status", "visibility", "message")
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyModelAdmin):
    """Read-only here: cases change only through the transition services (the officers' workspace)."""

    list_display = ("reference", "status", "respondent", "category", "urgent", "assigned_officer", "submitted_at")
    list_filter = ("status", "respondent", "category", "urgent", "channel", "flag_unlawful_category")
    search_fields = ("reference", "citizen__full_name", "statement")
    date_hierarchy = "submitted_at"
    inlines = (CaseEventInline,)
