"""Writes to citizens' records (house rule 1: named services, time as an argument)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from kernel.actors import Actor
from kernel.errors import Conflict

from .models import BlacklistEntry, RecordStatus


def record_mark_disputed(*, entry_id: int, now: datetime, actor: Actor) -> BlacklistEntry:
    """Mark a blacklist entry as disputed while the holder reviews it (restriction under review).

    Already disputed: unchanged (another complaint may have flagged it). Corrected, deleted or
    expired entries cannot be disputed any more: Conflict."""
    with transaction.atomic():
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry_id)
        if entry.status == RecordStatus.DISPUTED:
            return entry
        if entry.status != RecordStatus.ACTIVE:
            raise Conflict(
                f"The record is {entry.status}; only an active record can be marked as disputed.", field="record"
            )
        entry.status = RecordStatus.DISPUTED
        entry.save(update_fields=["status", "updated_at"])
    return entry
