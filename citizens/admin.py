from django.contrib import admin

from .models import BlacklistEntry, Citizen, CreditScoreRecord


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ("full_name", "national_id_masked", "email", "preferred_language", "representative_kind")
    search_fields = ("full_name", "email")
    readonly_fields = ("national_id_masked",)
    exclude = ("national_id_ciphertext", "national_id_hash")
    raw_id_fields = ("user", "parent", "representative")


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(admin.ModelAdmin):
    list_display = ("list_name", "agency", "citizen", "category", "listed_on", "status", "derived_from_relative")
    list_filter = ("status", "agency", "category", "derived_from_relative")
    search_fields = ("list_name", "agency_record_id", "citizen__full_name")
    raw_id_fields = ("citizen", "derived_from")


@admin.register(CreditScoreRecord)
class CreditScoreRecordAdmin(admin.ModelAdmin):
    list_display = ("citizen", "agency", "score", "as_of", "automated")
    list_filter = ("agency", "automated")
    search_fields = ("citizen__full_name", "agency_record_id")
    raw_id_fields = ("citizen",)
