"""Clocks owed by an agency that is not the respondent (information requests to a recipient of the
data, correction orders) are not shown to the respondent agency."""

from datetime import timedelta

import pytest

from clocks.services import clock_start
from clocks.sweep import clock_sweep
from complaints.selectors import case_events_for
from complaints.transitions import Status
from kernel.actors import Actor
from tests.factories import NOW, AgencyFactory, make_complaint

pytestmark = pytest.mark.django_db


def test_non_party_agency_clock_events_are_hidden_from_the_respondent():
    complaint = make_complaint(status=Status.INVESTIGATION)
    bank = AgencyFactory()
    clock_start(
        complaint=complaint,
        obligation="information_request",
        now=NOW,
        agency=bank,
        subject_key="information_request:999",
        actor=Actor.system(),
    )
    own = clock_start(
        complaint=complaint,
        obligation="information_request",
        now=NOW,
        agency=complaint.respondent,
        subject_key="information_request:1000",
        actor=Actor.system(),
    )
    clock_sweep(now=NOW + timedelta(days=40))
    agency_view = list(case_events_for(complaint=complaint, audience="agency"))
    about_bank = [e for e in agency_view if e.data.get("agency_id") == bank.pk]
    about_own = [e for e in agency_view if e.data.get("clock_id") == own.pk]
    assert about_bank == []
    assert about_own, "the respondent still sees its own clocks"
    citizen_view = case_events_for(complaint=complaint, audience="citizen")
    assert any(e.data.get("agency_id") == bank.pk for e in citizen_view)
