"""The party guard in every complaints service a citizen or an agency can call, below the HTTP
layer: another agency's actor, and another citizen's actor, are refused by the service itself
(NotAllowed), and nothing is written (no timeline event, no outbox message, no row, no change to
the case). Each refusal is paired with the same call by the rightful party succeeding, so a
refusal for some other reason (a wrong status, bad input) would show up as a failure here."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from complaints import services
from complaints.models import AgencyResponse, Attachment, CaseEvent, Complaint
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.errors import NotAllowed
from outbox.models import OutboxMessage
from tests.factories import NOW, UserFactory, make_complaint

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GUARD_SAYS = {
    "other agency": "This case is not referred to your agency.",
    "other citizen": "You can act only on your own cases or those of people you represent.",
}


@dataclass(frozen=True)
class Case:
    status: Status
    call: Callable[[Complaint, Actor], object]
    parties: tuple[str, ...]  # who may call it on their own case: "citizen", "agency"


CASES = {
    "acknowledge": Case(
        Status.REFERRED,
        lambda c, a: services.complaint_acknowledge(complaint_id=c.pk, actor=a, now=NOW),
        ("agency",),
    ),
    "mark_disputed": Case(
        Status.REFERRED,
        lambda c, a: services.complaint_mark_disputed(complaint_id=c.pk, actor=a, now=NOW),
        ("agency",),
    ),
    "record_agency_response": Case(
        Status.REFERRED,
        lambda c, a: services.complaint_record_agency_response(
            complaint_id=c.pk, actor=a, outcome="needs_information", explanation="Which record?", now=NOW
        ),
        ("agency",),
    ),
    "post_message": Case(
        Status.REFERRED,
        lambda c, a: services.complaint_post_message(complaint_id=c.pk, actor=a, text="About my case.", now=NOW),
        ("citizen", "agency"),
    ),
    "attachment_add": Case(
        Status.SCREENING,
        lambda c, a: services.attachment_add(
            complaint_id=c.pk, actor=a, fileobj=io.BytesIO(PNG), filename="evidence.png", now=NOW
        ),
        ("citizen", "agency"),
    ),
    "resolve": Case(
        Status.AGENCY_RESPONDED,
        lambda c, a: services.complaint_resolve(complaint_id=c.pk, actor=a, now=NOW),
        ("citizen",),
    ),
    "withdraw": Case(
        Status.REFERRED,
        lambda c, a: services.complaint_withdraw(complaint_id=c.pk, actor=a, now=NOW, reason="Settled."),
        ("citizen",),
    ),
    "open_investigation": Case(
        Status.AGENCY_RESPONDED,
        lambda c, a: services.complaint_open_investigation(
            complaint_id=c.pk, actor=a, reason="The answer does not address my complaint.", now=NOW
        ),
        ("citizen",),
    ),
}


def snapshot(complaint: Complaint) -> tuple:
    """Everything a refused call must leave as it was."""
    c = Complaint.objects.get(pk=complaint.pk)
    return (
        CaseEvent.objects.filter(complaint=c).count(),
        OutboxMessage.objects.count(),
        AgencyResponse.objects.filter(complaint=c).count(),
        Attachment.objects.filter(complaint=c).count(),
        c.status,
        c.updated_at,
        c.acknowledged_at,
        c.marked_disputed_at,
        c.closed_at,
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def other_case() -> Complaint:
    """Another citizen's case, referred to another agency: its parties are real parties, of
    another case."""
    return make_complaint(status=Status.REFERRED)


def intruder(kind: str, other: Complaint) -> Actor:
    if kind == "other agency":
        return Actor.for_agency(other.respondent)
    return Actor.for_user(other.citizen.user)


def rightful(kind: str, complaint: Complaint) -> Actor:
    if kind == "agency":
        return Actor.for_agency(complaint.respondent)
    return Actor.for_user(complaint.citizen.user)


@pytest.mark.parametrize("who", ["other agency", "other citizen"])
@pytest.mark.parametrize("name", list(CASES))
def test_a_party_to_another_case_is_refused_and_nothing_is_written(name, who, other_case):
    case = CASES[name]
    complaint = make_complaint(status=case.status)
    assert complaint.respondent_id != other_case.respondent_id
    assert complaint.citizen_id != other_case.citizen_id
    before = snapshot(complaint)
    with pytest.raises(NotAllowed) as exc:
        case.call(complaint, intruder(who, other_case))
    # Refused by the party guard itself (complaints.parties), not by something further down (a
    # clock effect would refuse another agency too, after the guard).
    assert str(exc.value) == GUARD_SAYS[who] and exc.value.status_code == 403
    assert snapshot(complaint) == before
    # The rightful party of the same kind succeeds on the same case, in the same state.
    kind = "agency" if who == "other agency" else "citizen"
    if kind in case.parties:
        case.call(complaint, rightful(kind, complaint))
        assert snapshot(complaint)[0] > before[0]


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if "citizen" in c.parties])
def test_the_citizens_representative_acts_for_them(name):
    case = CASES[name]
    complaint = make_complaint(status=case.status)
    representative = UserFactory()
    citizen = complaint.citizen
    citizen.representative, citizen.representative_kind = representative, "other"
    citizen.save(update_fields=["representative", "representative_kind"])
    before = snapshot(complaint)
    case.call(complaint, Actor.for_user(representative))
    assert snapshot(complaint)[0] > before[0]
