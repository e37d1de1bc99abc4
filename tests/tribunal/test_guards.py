"""The tribunal services an agency calls, refused by the service itself (below the HTTP layer) to
any actor but the agency the request or the order was sent to, with nothing written: no timeline
event, no outbox message, no change to the request, the order or its clock. Each refusal is
paired with the rightful agency succeeding on the same row.

`record_reported` takes the reporting agency itself (the API passes the authenticated client's
agency); it acts on no case, so there is no other agency to refuse."""

from __future__ import annotations

import pytest

from clocks.models import Clock, ClockStatus
from complaints import services as cs
from complaints.models import CaseEvent, Complaint
from kernel.actors import Actor
from kernel.errors import NotAllowed
from outbox.models import OutboxMessage
from tests.factories import NOW, OfficerFactory, make_complaint
from tribunal import services as ts
from tribunal.models import (
    CorrectionOrder,
    InformationDocument,
    InformationRequest,
    InformationRequestStatus,
    OrderStatus,
)

pytestmark = pytest.mark.django_db

INTRUDERS = ["respondent", "another recipient", "another case's agency", "the citizen", "another citizen"]
NOT_YOURS = "This case is not referred to your agency."  # complaints.parties, with the request's agency
OWN_CASES = "You can act only on your own cases or those of people you represent."
# What the guard says (the party guard, then the transition table), per intruder. A refusal further
# down (by the clock of the request or the order: "This clock is not your agency's.") would mean
# the guard let the intruder through.
GUARD_SAYS = {
    "respondent": NOT_YOURS,
    "another recipient": NOT_YOURS,
    "another case's agency": NOT_YOURS,
    "a recipient with its own order": NOT_YOURS,
    "another citizen": OWN_CASES,
}
CITIZEN_MAY_NOT = {
    "answer": "A citizen cannot answer an information request on a case; only: agency.",
    "confirm": "A citizen cannot confirm a correction order on a case; only: agency.",
}


def intruder(who: str, *, complaint: Complaint, graph, other: Complaint) -> Actor:
    return {
        "respondent": lambda: Actor.for_agency(graph.court),
        "another recipient": lambda: Actor.for_agency(graph.air),
        "another case's agency": lambda: Actor.for_agency(other.respondent),
        "the citizen": lambda: Actor.for_user(complaint.citizen.user),
        "another citizen": lambda: Actor.for_user(other.citizen.user),
    }[who]()


def written(complaint: Complaint) -> tuple[int, int]:
    return CaseEvent.objects.filter(complaint=complaint).count(), OutboxMessage.objects.count()


@pytest.mark.parametrize("who", INTRUDERS)
def test_only_the_agency_asked_answers_an_information_request(graph, who):
    complaint = make_complaint(blacklist_entry=graph.entry, status="investigation", category="derived_from_relative")
    other = make_complaint(status="referred")
    request = ts.information_request_create(
        complaint_id=complaint.pk,
        agency=graph.bank,  # a recipient of the data, not the respondent
        actor=Actor.for_user(OfficerFactory()),
        questions=["Where did you get the listing?"],
        now=NOW,
    )
    clock = Clock.objects.get(subject_key=request.subject_key)
    before = written(complaint)
    with pytest.raises(NotAllowed) as exc:
        ts.information_request_answer(
            request_id=request.pk,
            actor=intruder(who, complaint=complaint, graph=graph, other=other),
            answer_text="An answer from the wrong party.",
            now=NOW,
        )
    assert str(exc.value) == GUARD_SAYS.get(who, CITIZEN_MAY_NOT["answer"])
    assert written(complaint) == before
    request = InformationRequest.objects.get(pk=request.pk)
    assert request.status == InformationRequestStatus.OPEN and request.answer_text == ""
    assert not InformationDocument.objects.filter(request=request).exists()
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.OPEN
    # the agency asked may answer
    ts.information_request_answer(
        request_id=request.pk, actor=Actor.for_agency(graph.bank), answer_text="From the court.", now=NOW
    )
    assert InformationRequest.objects.get(pk=request.pk).status == InformationRequestStatus.ANSWERED
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.MET
    assert written(complaint)[0] > before[0]


INTRUDERS_ON_AN_ORDER = [w for w in INTRUDERS if w != "another recipient"] + ["a recipient with its own order"]


@pytest.mark.parametrize("who", INTRUDERS_ON_AN_ORDER)
def test_only_the_agency_ordered_confirms_its_correction(graph, who):
    complaint = make_complaint(blacklist_entry=graph.entry, status="referred")
    other = make_complaint(status="referred")
    # The court deletes its record: every agency it shared the record with is ordered to follow.
    cs.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(graph.court),
        outcome="deleted",
        explanation="Removed.",
        now=NOW,
    )
    order = CorrectionOrder.objects.get(complaint=complaint, agency=graph.rail)
    assert CorrectionOrder.objects.filter(complaint=complaint, agency=graph.bank).exists()
    clock = Clock.objects.get(subject_key=order.subject_key)
    actor = (
        Actor.for_agency(graph.bank)
        if who == "a recipient with its own order"
        else intruder(who, complaint=complaint, graph=graph, other=other)
    )
    evidence = {"evidence_before": {"status": "active"}, "evidence_after": {"status": "deleted"}}
    before = written(complaint)
    with pytest.raises(NotAllowed) as exc:
        ts.correction_order_confirm(order_id=order.pk, actor=actor, now=NOW, **evidence)
    assert str(exc.value) == GUARD_SAYS.get(who, CITIZEN_MAY_NOT["confirm"])
    assert written(complaint) == before
    order = CorrectionOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.ORDERED and order.confirmed_at is None and order.evidence_after == {}
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.OPEN
    # the agency ordered may confirm
    ts.correction_order_confirm(order_id=order.pk, actor=Actor.for_agency(graph.rail), now=NOW, **evidence)
    assert CorrectionOrder.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert Clock.objects.get(pk=clock.pk).status == ClockStatus.MET
    assert written(complaint)[0] > before[0]
