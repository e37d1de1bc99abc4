from django.contrib import admin
from django.http import HttpRequest

from .models import CaseEvent, Complaint


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor_label", "kind", "from_status", "to_status", "visibility", "message")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only here: cases change only through the transition services (the officers' workspace)."""

    list_display = ("reference", "status", "respondent", "category", "urgent", "assigned_officer", "submitted_at")
    list_filter = ("status", "respondent", "category", "urgent", "channel", "flag_unlawful_category")
    search_fields = ("reference", "citizen__full_name", "statement")
    date_hierarchy = "submitted_at"
    inlines = (CaseEventInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in Complaint._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
