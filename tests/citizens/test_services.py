"""Writes to citizens' records."""

from __future__ import annotations

import pytest

from citizens.models import RecordStatus
from citizens.services import record_apply_correction
from kernel.actors import Actor
from tests.factories import NOW, BlacklistEntryFactory

pytestmark = pytest.mark.django_db


def test_a_confirmed_deletion_marks_the_entry_deleted_and_keeps_its_sanctions_on_file():
    entry = BlacklistEntryFactory(sanctions=["schools", "rail_travel"])
    record_apply_correction(entry_id=entry.pk, delete=True, lifted_sanctions=["schools"], now=NOW, actor=Actor.system())
    entry.refresh_from_db()
    assert entry.status == RecordStatus.DELETED and entry.sanctions == ["schools", "rail_travel"]


def test_a_confirmed_correction_lifts_only_the_sanctions_named():
    entry = BlacklistEntryFactory(sanctions=["schools", "rail_travel", "air_travel"])
    record_apply_correction(
        entry_id=entry.pk, delete=False, lifted_sanctions=["schools", "air_travel"], now=NOW, actor=Actor.system()
    )
    entry.refresh_from_db()
    assert entry.status == RecordStatus.CORRECTED and entry.sanctions == ["rail_travel"]
