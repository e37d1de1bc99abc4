"""Reads of the tribunal, scoped to who is asking."""

from __future__ import annotations

import pytest

from complaints.models import Complaint
from tests.factories import UserFactory
from tribunal import selectors

from .test_services import investigating, issue

pytestmark = pytest.mark.django_db


def test_record_holders_are_for_the_parties_not_for_whoever_filed(graph, officer, senior):
    complaint = investigating(graph)
    issue(complaint, officer, senior)
    filer, representative = UserFactory(), UserFactory()
    Complaint.objects.filter(pk=complaint.pk).update(filed_by=filer)
    citizen = complaint.citizen
    citizen.representative, citizen.representative_kind = representative, "lawyer"
    citizen.save(update_fields=["representative", "representative_kind"])

    def holders(user):  # type: ignore[no-untyped-def]
        found = selectors.record_holders_for_case(user=user, reference=complaint.reference)
        return None if found is None else sorted(o.agency.slug for o in found["orders"])

    expected = ["air", "bank", "bureau", "court", "rail", "school"]
    assert holders(citizen.user) == expected
    assert holders(representative) == expected
    assert holders(officer) == expected
    assert holders(filer) is None  # filing gave them nothing
    assert holders(UserFactory()) is None
