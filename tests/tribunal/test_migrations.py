"""The data migration to one remedy vocabulary rewrites stored remedies and actions both ways."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tribunal.models import CorrectionOrder, Determination

from .test_services import investigating, issue

pytestmark = pytest.mark.django_db
vocabulary = importlib.import_module("tribunal.migrations.0003_remedy_vocabulary")


def test_old_codes_become_the_shared_ones_and_back(graph, officer, senior):
    det = issue(investigating(graph), officer, senior)
    old = [
        {"kind": "delete_entry"},
        {"kind": "correct_field", "field": "reason", "new_value": "x"},
        {"kind": "apology"},
    ]
    Determination.objects.filter(pk=det.pk).update(remedies=old)
    CorrectionOrder.objects.filter(determination=det).update(actions=[{"kind": "delete_entry"}])

    vocabulary.forwards(apps, None)
    det.refresh_from_db()
    assert [r["kind"] for r in det.remedies] == ["delete", "correct", "apology"]
    assert det.remedies[1] == {"kind": "correct", "field": "reason", "new_value": "x"}
    assert {a["kind"] for o in det.orders.all() for a in o.actions} == {"delete"}

    vocabulary.backwards(apps, None)
    det.refresh_from_db()
    assert det.remedies == old
    assert {a["kind"] for o in det.orders.all() for a in o.actions} == {"delete_entry"}
