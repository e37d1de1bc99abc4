"""The Django admin's one rule (house rule 2): anything that has a service is read-only here, for
every staff user including superusers; its changes go through the services (the officers'
pages, the agency API, management commands), which lock, check and write the timeline.

    class BlacklistEntryAdmin(ReadOnlyModelAdmin): ...     # view only
    class PauseInline(ReadOnlyInline): ...                  # inline rows, view only

Reference data that has no service (record categories, data-sharing links, clock regimes, the
conflict-of-interest register) keeps a plain ModelAdmin; Django's admin log (LogEntry) records
every add, change and delete made there, and the few admin actions that call a service log
theirs with `ModelAdmin.log_change`. The log itself is read-only (`LogEntryAdmin`, seniors only).
Not an installed app: nothing here is autodiscovered.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyMixin:
    """No add, change or delete (view permission alone decides who may look)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyModelAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """A model owned by a service: listed and shown, never edited here."""


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False


def is_senior(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_active", False) and getattr(user, "is_senior_officer", False))


class LogEntryAdmin(ReadOnlyModelAdmin):
    """The admin's audit trail: every add, change and delete, never edited or deleted."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "change_message")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__email")
    date_hierarchy = "action_time"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_senior(request)
