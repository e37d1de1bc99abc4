"""Citizens, their records and scores change only through services (sign-up, assisted filing,
corrections ordered by the tribunal): read-only here (kernel.admin)."""

from django.contrib import admin

from kernel.admin import ReadOnlyModelAdmin

from .models import BlacklistEntry, Citizen, CreditScoreRecord


@admin.register(Citizen)
class CitizenAdmin(ReadOnlyModelAdmin):
    list_display = ("full_name", "national_id_masked", "email", "preferred_language", "representative_kind")
    search_fields = ("full_name", "email")
    readonly_fields = ("national_id_masked",)
    exclude = ("national_id_ciphertext", "national_id_hash")
    raw_id_fields = ("user", "parent", "representative")


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyModelAdmin):
    list_display = ("list_name", "agency", "citizen", "category", "listed_on", "status", "derived_from_relative")
    list_filter = ("status", "agency", "category", "derived_from_relative")
    search_fields = ("list_name", "agency_record_id", "citizen__full_name")
    raw_id_fields = ("citizen", "derived_from")


@admin.register(CreditScoreRecord)
class CreditScoreRecordAdmin(ReadOnlyModelAdmin):
    list_display = ("citizen", "agency", "score", "as_of", "automated")
    list_filter = ("agency", "automated")
    search_fields = ("citizen__full_name", "agency_record_id")
    raw_id_fields = ("citizen",)
