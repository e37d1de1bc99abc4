"""The API and the portal give the same result for the same action: one test per action,
parametrised over both interfaces, each run against the hand-written expectation (status, the
timeline event, the clocks met, the webhooks queued). The portal's actor also names the person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agency_api.services import webhook_endpoint_set
from clocks.models import Clock, ClockStatus
from complaints.models import Complaint
from kernel.actors import Actor
from outbox.models import Channel, OutboxMessage
from tests.agency_api.conftest import make_caller
from tests.factories import make_complaint
from tests.tribunal.test_services import PDF, investigating, issue
from tribunal import services as ts
from tribunal.models import CorrectionOrder, InformationRequest

from .conftest import make_member, signed_in

pytestmark = pytest.mark.django_db
API = "/api/v1/agency"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 80
INTERFACES = ["api", "portal"]
CORRECTIONS = [
    {"field": "status", "old_value": "listed", "new_value": "satisfied 2021-03-02"},
    {"field": "amount", "old_value": "12000", "new_value": "0"},
]


def fingerprint(complaint_id: int, agency_id: int, since: Any) -> dict[str, Any]:
    """What an action leaves behind that an agency, the citizen and the officer can see."""
    complaint = Complaint.objects.get(pk=complaint_id)
    events = complaint.events.filter(created_at__gte=since).order_by("created_at", "id")
    return {
        "status": complaint.status,
        "events": [(e.kind, e.actor_kind, e.visibility) for e in events],
        "met": sorted(
            c.obligation
            for c in Clock.objects.filter(complaint_id=complaint_id, agency_id=agency_id, status=ClockStatus.MET)
        ),
        "webhooks": sorted(
            m.topic
            for m in OutboxMessage.objects.filter(
                complaint_id=complaint_id, channel=Channel.WEBHOOK, created_at__gte=since
            )
        ),
    }


def _referral(agency: Any) -> Complaint:
    webhook_endpoint_set(agency=agency, url="https://hooks.example.org/omb", now=timezone.now())
    return make_complaint(status="referred", entry_kwargs={"agency": agency}, now=timezone.now())


def _run(interface: str, agency: Any, api: Callable[[Any], Any], portal: Callable[[Any], Any]) -> None:
    if interface == "api":
        response = api(make_caller(agency))
    else:
        response = portal(signed_in(make_member(agency)))
    assert response.status_code in (200, 201, 302), response.content[:400]
    if interface == "portal":
        assert response.status_code == 302  # success redirects back to the page


def _portal_post(reference: str, data: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda c: c.post(reverse("agency_portal:referral", args=[reference]), data)


@pytest.mark.parametrize("interface", INTERFACES)
@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (
            "acknowledge",
            {
                "status": "referred",
                "events": [("agency_acknowledged", "agency", "parties"), ("clock_met", "agency", "parties")],
                "met": ["acknowledge"],
                "webhooks": [],
            },
        ),
        (
            "mark_disputed",
            {
                "status": "referred",
                "events": [("record_marked_disputed", "agency", "parties"), ("clock_met", "agency", "parties")],
                "met": ["mark_disputed"],
                "webhooks": [],
            },
        ),
    ],
)
def test_steps(agency, interface, action, expected):  # type: ignore[no-untyped-def]
    complaint = _referral(agency)
    since = timezone.now()
    path = "acknowledge" if action == "acknowledge" else "flag-disputed"
    _run(
        interface,
        agency,
        lambda c: c.post(f"{API}/referrals/{complaint.reference}/{path}"),
        _portal_post(complaint.reference, {"action": action}),
    )
    assert fingerprint(complaint.pk, agency.pk, since) == expected


@pytest.mark.parametrize("interface", INTERFACES)
def test_answer_corrected_with_two_corrections(agency, interface):  # type: ignore[no-untyped-def]
    complaint = _referral(agency)
    since = timezone.now()
    form = {"action": "answer", "answer-outcome": "corrected", "answer-explanation": "Paid in 2021."}
    form |= {"corrections-TOTAL_FORMS": "2", "corrections-INITIAL_FORMS": "0"}
    form |= {"criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0"}
    for i, c in enumerate(CORRECTIONS):
        form |= {f"corrections-{i}-{k}": v for k, v in c.items()}
    _run(
        interface,
        agency,
        lambda c: c.post(
            f"{API}/referrals/{complaint.reference}/response",
            {"outcome": "corrected", "explanation": "Paid in 2021.", "corrections": CORRECTIONS},
            format="json",
        ),
        _portal_post(complaint.reference, form),
    )
    answer = complaint.agency_responses.get()
    assert answer.outcome == "corrected" and answer.corrections == CORRECTIONS
    assert fingerprint(complaint.pk, agency.pk, since) == {
        "status": "agency_responded",
        # The answer also meets the acknowledgement (an answer acknowledges) and cancels the
        # mark-disputed clock; the citizen's reply clock starts.
        "events": [
            ("record_agency_response", "agency", "parties"),
            ("clock_met", "agency", "parties"),
            ("clock_met", "agency", "parties"),
            ("clock_cancelled", "agency", "parties"),
            ("clock_started", "system", "citizen"),
        ],
        "met": ["acknowledge", "respond"],
        "webhooks": [],
    }


@pytest.mark.parametrize("interface", INTERFACES)
def test_message(agency, interface):  # type: ignore[no-untyped-def]
    complaint = _referral(agency)
    since = timezone.now()
    _run(
        interface,
        agency,
        lambda c: c.post(
            f"{API}/referrals/{complaint.reference}/messages",
            {"text": "We are checking.", "visibility": "parties"},
            format="json",
        ),
        _portal_post(
            complaint.reference,
            {"action": "message", "message-text": "We are checking.", "message-visibility": "parties"},
        ),
    )
    assert fingerprint(complaint.pk, agency.pk, since) == {
        "status": "referred",
        "events": [("message", "agency", "parties")],
        "met": [],
        "webhooks": [],
    }


@pytest.mark.parametrize("interface", INTERFACES)
def test_evidence_upload(agency, interface):  # type: ignore[no-untyped-def]
    complaint = _referral(agency)
    since = timezone.now()

    def upload() -> Any:
        return SimpleUploadedFile("scan.png", PNG, content_type="image/png")

    _run(
        interface,
        agency,
        lambda c: c.post(f"{API}/referrals/{complaint.reference}/attachments", {"file": upload()}, format="multipart"),
        _portal_post(complaint.reference, {"action": "evidence", "evidence-file": upload()}),
    )
    attachment = complaint.attachments.get()
    assert attachment.content_type == "image/png"
    assert fingerprint(complaint.pk, agency.pk, since) == {
        "status": "referred",
        "events": [("attachment_added", "agency", "parties")],
        "met": [],
        "webhooks": [],
    }


@pytest.mark.parametrize("interface", INTERFACES)
def test_information_request_answered_with_a_pdf(graph, officer, interface):  # type: ignore[no-untyped-def]
    complaint = investigating(graph)
    request = ts.information_request_create(
        complaint_id=complaint.pk,
        agency=graph.bank,
        actor=Actor.for_user(officer),
        questions=["Where?"],
        now=timezone.now(),
    )
    since = timezone.now()

    def pdf() -> Any:
        return SimpleUploadedFile("record.pdf", PDF, content_type="application/pdf")

    _run(
        interface,
        graph.bank,
        lambda c: c.post(
            f"{API}/information-requests/{request.pk}/answer",
            {"answer_text": "From the court.", "files": [pdf()]},
            format="multipart",
        ),
        lambda c: c.post(
            reverse("agency_portal:information-request", args=[request.pk]),
            {"answer_text": "From the court.", "documents": [pdf()]},
        ),
    )
    request = InformationRequest.objects.get(pk=request.pk)
    assert request.status == "answered" and request.documents.count() == 1
    assert fingerprint(complaint.pk, graph.bank.pk, since) == {
        "status": "investigation",
        "events": [("clock_met", "agency", "citizen"), ("information_answered", "agency", "citizen")],
        "met": ["information_request"],
        "webhooks": [],
    }


@pytest.mark.parametrize("interface", INTERFACES)
def test_correction_order_confirmed_with_before_and_after(graph, officer, senior, interface):  # type: ignore[no-untyped-def]
    det = issue(investigating(graph), officer, senior, now=timezone.now())
    order = det.orders.get(agency=graph.rail)
    since = timezone.now()
    form = {"evidence-TOTAL_FORMS": "1", "evidence-INITIAL_FORMS": "0", "note": "Deleted."}
    form |= {"evidence-0-field": "status", "evidence-0-before": "listed", "evidence-0-after": "deleted"}
    _run(
        interface,
        graph.rail,
        lambda c: c.post(
            f"{API}/corrections/{order.pk}/confirm",
            {"evidence_before": {"status": "listed"}, "evidence_after": {"status": "deleted"}, "note": "Deleted."},
            format="json",
        ),
        lambda c: c.post(reverse("agency_portal:correction-order", args=[order.pk]), form),
    )
    order = CorrectionOrder.objects.get(pk=order.pk)
    assert order.status == "confirmed"
    assert order.evidence_before == {"status": "listed"} and order.evidence_after == {"status": "deleted"}
    assert fingerprint(order.complaint_id, graph.rail.pk, since) == {
        "status": "compliance",
        "events": [("clock_met", "agency", "citizen"), ("correction_confirmed", "agency", "citizen")],
        "met": ["compliance"],
        "webhooks": [],
    }
