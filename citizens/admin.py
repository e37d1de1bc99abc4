"""Citizens, their records and scores change only through services (sign-up, assisted filing,
corrections ordered by the tribunal): read-only here (kernel.admin)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from kernel.actors import Actor
from kernel.admin import ReadOnlyModelAdmin
from kernel.http import request_purpose

from .models import AccessKind, BlacklistEntry, Citizen, CreditScoreRecord
from .services import Read, access_log_record


@admin.register(Citizen)
class CitizenAdmin(ReadOnlyModelAdmin):
    list_display = ("full_name", "national_id_masked", "email", "preferred_language", "representative_kind")
    search_fields = ("full_name", "email")
    readonly_fields = ("national_id_masked",)
    exclude = ("national_id_ciphertext", "national_id_hash")
    raw_id_fields = ("user", "parent", "representative")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        """A staff read of a person's details: in the access log, like every other staff page."""
        if isinstance(request.user, User) and object_id.isdigit():
            access_log_record(
                reader=Actor.for_user(request.user),
                kind=AccessKind.PERSONAL_DATA,
                why=request_purpose(request),
                now=timezone.now(),
                reads=[Read(int(object_id))],
            )
        return super().change_view(request, object_id, form_url, extra_context)


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
