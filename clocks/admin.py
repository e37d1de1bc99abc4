"""Admin: rules can be added (a change is a new version), regimes configured; clocks, pauses and
notices are read-only here (they change only through clocks.services and clocks.sweep)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kernel.admin import ReadOnlyInline, ReadOnlyModelAdmin

from .models import AgencyClockRegime, Clock, ClockNotice, ClockPause, ClockRule


@admin.register(ClockRule)
class ClockRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "title", "jurisdiction", "unit", "amount", "roll_forward", "active")
    list_filter = ("jurisdiction", "unit", "active")
    search_fields = ("code", "title", "description")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Versioned: running clocks keep the version they were computed with; add a new version instead.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgencyClockRegime)
class AgencyClockRegimeAdmin(admin.ModelAdmin):
    list_display = ("agency", "obligation", "rule_code", "urgent_rule_code")
    list_filter = ("obligation",)
    autocomplete_fields = ("agency",)


class PauseInline(ReadOnlyInline):
    model = ClockPause
    readonly_fields = ("paused_at", "resumed_at", "reason", "paused_by", "resumed_by")


class NoticeInline(ReadOnlyInline):
    model = ClockNotice
    readonly_fields = ("kind", "level", "created_at", "detail")


@admin.register(Clock)
class ClockAdmin(ReadOnlyModelAdmin):
    list_display = ("complaint", "obligation", "owed_by", "agency", "status", "due_at", "escalation_level")
    list_filter = ("status", "obligation", "owed_by", "escalation_level")
    search_fields = ("complaint__reference", "subject_key")
    date_hierarchy = "due_at"
    inlines = (PauseInline, NoticeInline)
