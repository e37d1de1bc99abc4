"""The erasure audit rows, read-only (kernel.admin): written only by privacy.erasure. Deletion
requests are read and decided on the officers' pages (in the access log), not here."""

from django.contrib import admin

from kernel.admin import ReadOnlyModelAdmin

from .models import Erasure


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyModelAdmin):
    list_display = ("at", "kind", "subject_id", "citizen_id", "trigger", "request")
    list_filter = ("kind", "trigger")
    date_hierarchy = "at"
