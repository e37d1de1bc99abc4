"""Who may change a clock, checked by the clock services themselves (below the HTTP layer): the
agency that owes a clock may meet it and ask for its one extension; another agency, and any
citizen, are refused (NotAllowed) and nothing is written (no timeline event, no outbox message,
no change to the clock). Cancelling, pausing and resuming are the ombudsman's alone. Each
refusal is paired with the rightful actor succeeding on the same clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from clocks import services
from clocks.models import Clock, ClockPause, ClockStatus
from complaints.models import CaseEvent, Complaint
from kernel.actors import Actor
from kernel.errors import NotAllowed
from outbox.models import OutboxMessage
from tests.factories import NOW, AgencyFactory, BlacklistEntryFactory, OfficerFactory, make_complaint

pytestmark = pytest.mark.django_db

NOT_YOURS = "This clock is not your agency's."
NO_CITIZENS = "Citizens cannot change clocks."
STAFF_ONLY = "Only officers (or the system) can do this to a clock."


def state(complaint: Complaint, clock: Clock) -> tuple:
    c = Clock.objects.get(pk=clock.pk)
    return (
        CaseEvent.objects.filter(complaint=complaint).count(),
        OutboxMessage.objects.count(),
        ClockPause.objects.filter(clock=c).count(),
        c.status,
        c.due_at,
        c.met_at,
        c.extended_at,
        c.paused_at,
    )


def respond_clock(complaint: Complaint) -> Clock:
    return Clock.objects.get(complaint=complaint, obligation="respond")


def outsiders(complaint: Complaint) -> dict[str, tuple[Actor, str]]:
    other = make_complaint(status="referred")
    return {
        "another agency": (Actor.for_agency(other.respondent), NOT_YOURS),
        "the citizen": (Actor.for_user(complaint.citizen.user), NO_CITIZENS),
        "another citizen": (Actor.for_user(other.citizen.user), NO_CITIZENS),
    }


def test_only_the_agency_that_owes_a_clock_meets_it():
    complaint = make_complaint(status="referred")
    clock = respond_clock(complaint)
    refusals = outsiders(complaint)
    before = state(complaint, clock)
    for who, (actor, message) in refusals.items():
        with pytest.raises(NotAllowed) as exc:
            services.clock_meet(complaint_id=complaint.pk, obligation="respond", now=NOW, actor=actor)
        assert str(exc.value) == message, who
        assert state(complaint, clock) == before, who
    services.clock_meet(
        complaint_id=complaint.pk, obligation="respond", now=NOW, actor=Actor.for_agency(complaint.respondent)
    )
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.MET


def test_only_the_agency_that_owes_a_clock_extends_it():
    agency = AgencyFactory(jurisdiction="DE")
    services.agency_regime_set(agency=agency, obligation="respond", rule_code="eu-gdpr-request")
    received = datetime(2026, 1, 31, 9, tzinfo=UTC)
    complaint = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency), status="referred", now=received)
    clock = respond_clock(complaint)
    inside_the_first_month = datetime(2026, 2, 20, tzinfo=UTC)
    refusals = outsiders(complaint)
    before = state(complaint, clock)
    for who, (actor, message) in refusals.items():
        with pytest.raises(NotAllowed) as exc:
            services.clock_extend(clock_id=clock.pk, now=inside_the_first_month, actor=actor, reason="Complex")
        assert str(exc.value) == message, who
        assert state(complaint, clock) == before, who
    extended = services.clock_extend(
        clock_id=clock.pk, now=inside_the_first_month, actor=Actor.for_agency(agency), reason="Complex"
    )
    assert extended.extended_at == inside_the_first_month and extended.due_at > clock.due_at


def test_cancelling_is_the_ombudsmans_not_the_agencys():
    complaint = make_complaint(status="referred")
    clock = respond_clock(complaint)
    refusals = {**outsiders(complaint), "the agency itself": (Actor.for_agency(complaint.respondent), "")}
    before = state(complaint, clock)
    for who, (actor, message) in refusals.items():
        with pytest.raises(NotAllowed) as exc:
            services.clock_cancel(clock_id=clock.pk, reason="Not needed.", now=NOW, actor=actor)
        assert str(exc.value) == (message or "An agency cannot cancel its own clock."), who
        assert state(complaint, clock) == before, who
    services.clock_cancel(clock_id=clock.pk, reason="Not needed.", now=NOW, actor=Actor.for_user(OfficerFactory()))
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.CANCELLED


def test_pausing_and_resuming_are_the_ombudsmans():
    complaint = make_complaint(status="referred")
    clock = respond_clock(complaint)
    officer = Actor.for_user(OfficerFactory())
    refusals = [actor for actor, _m in outsiders(complaint).values()] + [Actor.for_agency(complaint.respondent)]
    before = state(complaint, clock)
    for actor in refusals:
        with pytest.raises(NotAllowed, match=re.escape(STAFF_ONLY)):
            services.clock_pause(clock_id=clock.pk, reason="Waiting for the citizen.", now=NOW, actor=actor)
        assert state(complaint, clock) == before
    services.clock_pause(clock_id=clock.pk, reason="Waiting for the citizen.", now=NOW, actor=officer)
    paused = state(complaint, clock)
    assert paused[3] == ClockStatus.PAUSED
    for actor in refusals:
        with pytest.raises(NotAllowed, match=re.escape(STAFF_ONLY)):
            services.clock_resume(clock_id=clock.pk, now=NOW, actor=actor)
        assert state(complaint, clock) == paused
    services.clock_resume(clock_id=clock.pk, now=NOW, actor=officer)
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.OPEN
