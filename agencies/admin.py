"""Agencies are read-only here (they change through services: invitations, the agency API);
reference data without a service (record categories, data-sharing links) stays editable, and
Django's admin log records every edit of it."""

from django.contrib import admin

from kernel.admin import ReadOnlyInline, ReadOnlyModelAdmin

from .models import Agency, DataSharingLink, RecordCategory


class OutgoingLinkInline(ReadOnlyInline):
    """Shown on the agency's page; edited on the data-sharing links' own pages."""

    model = DataSharingLink
    fk_name = "source"


@admin.register(Agency)
class AgencyAdmin(ReadOnlyModelAdmin):
    list_display = ("name_en", "name_zh", "slug", "kind", "jurisdiction", "score_min", "score_max", "active")
    list_filter = ("kind", "jurisdiction", "active")
    search_fields = ("name_en", "name_zh", "slug")
    inlines = (OutgoingLinkInline,)


@admin.register(RecordCategory)
class RecordCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "lawful", "max_display_months")
    list_filter = ("lawful",)
    search_fields = ("code", "name_en", "name_zh", "legal_basis")


@admin.register(DataSharingLink)
class DataSharingLinkAdmin(admin.ModelAdmin):
    list_display = ("source", "recipient", "since", "until", "active")
    list_filter = ("active", "source__kind", "recipient__kind")
    search_fields = ("source__name_en", "recipient__name_en", "source__slug", "recipient__slug", "legal_basis")
    autocomplete_fields = ("source", "recipient")
    filter_horizontal = ("categories",)
