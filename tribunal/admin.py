"""Officers edit the conflict-of-interest register here; everything else is read-only (it changes
only through the tribunal services)."""

from __future__ import annotations

from django.contrib import admin

from kernel.admin import ReadOnlyModelAdmin

from .models import ConflictOfInterest, CorrectionOrder, CriteriaDisclosure, Determination, InformationRequest


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ("agency", "kind", "related_agency", "share_percent", "since", "until", "published")
    list_filter = ("kind", "published", "agency")
    search_fields = ("agency__name_en", "agency__name_zh", "description", "related_agency__name_en")
    autocomplete_fields = ()
    fields = (
        "agency",
        "kind",
        "related_agency",
        "share_percent",
        "description",
        "source",
        "since",
        "until",
        "published",
    )


@admin.register(CriteriaDisclosure)
class CriteriaDisclosureAdmin(ReadOnlyModelAdmin):
    list_display = ("agency", "version", "disclosed_at")
    list_filter = ("agency",)


@admin.register(Determination)
class DeterminationAdmin(ReadOnlyModelAdmin):
    list_display = ("number", "complaint", "status", "outcome", "drafted_by", "signed_by", "issued_at")
    list_filter = ("status", "outcome")
    search_fields = ("number", "complaint__reference")


@admin.register(CorrectionOrder)
class CorrectionOrderAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "complaint", "agency", "trigger", "status", "depth", "ordered_at", "due_at", "confirmed_at")
    list_filter = ("status", "trigger", "agency")
    search_fields = ("complaint__reference", "agency__name_en")


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "complaint", "agency", "status", "due_at", "answered_at")
    list_filter = ("status", "agency")
    search_fields = ("complaint__reference", "agency__name_en")
