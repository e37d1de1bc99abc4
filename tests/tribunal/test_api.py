"""The tribunal's agency endpoints: real OAuth2 tokens, the shared scoping base class."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clocks.models import Clock, ClockStatus
from complaints.transitions import Status
from kernel.actors import Actor
from tests.agency_api.conftest import make_caller
from tribunal import services as ts
from tribunal.models import CorrectionOrder, InformationRequest

from .test_services import PDF, investigating, issue

pytestmark = pytest.mark.django_db

BASE = "/api/v1/agency"


@pytest.fixture
def info_request(graph, officer):
    complaint = investigating(graph)
    return ts.information_request_create(
        complaint_id=complaint.pk,
        agency=graph.bank,
        actor=Actor.for_user(officer),
        questions=["Where did the listing come from?"],
        requested_documents=["The record as received"],
        now=timezone.now(),
    )


@pytest.fixture
def orders(graph, officer, senior):
    det = issue(investigating(graph), officer, senior, now=timezone.now())
    return {o.agency.slug: o for o in det.orders.all()}


def test_requires_a_token(info_request):
    from rest_framework.test import APIClient

    response = APIClient().get(f"{BASE}/information-requests/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_information_requests_are_scoped_to_the_callers_agency(graph, info_request):
    bank, air = make_caller(graph.bank), make_caller(graph.air)
    listed = bank.get(f"{BASE}/information-requests/").json()["results"]
    assert [r["id"] for r in listed] == [info_request.pk]
    assert listed[0]["questions"] == ["Where did the listing come from?"]
    assert listed[0]["subject"]["national_id_masked"] == info_request.complaint.citizen.national_id_masked
    assert air.get(f"{BASE}/information-requests/").json()["results"] == []
    assert air.get(f"{BASE}/information-requests/{info_request.pk}/").status_code == 404
    response = air.post(f"{BASE}/information-requests/{info_request.pk}/answer", {"answer_text": "x"}, format="json")
    assert response.status_code == 404
    info_request.refresh_from_db()
    assert info_request.status == "open"


def test_answer_with_files_through_the_api(graph, info_request):
    bank = make_caller(graph.bank)
    response = bank.post(
        f"{BASE}/information-requests/{info_request.pk}/answer",
        {
            "answer_text": "We received it from the court.",
            "answers": json.dumps([{"question": "Where?", "answer": "The court, 2025-06-03."}]),
            "files": [
                SimpleUploadedFile("record.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
            ],
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="answer-1",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "answered" and len(body["documents"]) == 2
    assert body["answers"] == [{"question": "Where?", "answer": "The court, 2025-06-03."}]
    assert Clock.objects.get(subject_key=info_request.subject_key).status == ClockStatus.MET
    again = bank.post(
        f"{BASE}/information-requests/{info_request.pk}/answer",
        {"answer_text": "x"},
        format="json",
    )
    assert again.status_code == 409


def test_answer_validation_names_the_field(graph, info_request):
    bank = make_caller(graph.bank)
    response = bank.post(f"{BASE}/information-requests/{info_request.pk}/answer", {}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["answer_text"]
    bad_file = bank.post(
        f"{BASE}/information-requests/{info_request.pk}/answer",
        {"answer_text": "x", "files": [SimpleUploadedFile("a.exe", b"MZ\x90\x00binary")]},
        format="multipart",
    )
    assert bad_file.status_code == 400
    assert "file" in json.dumps(bad_file.json()["errors"])


def test_corrections_are_scoped_and_confirmed_with_evidence(graph, orders):
    rail, court = make_caller(graph.rail), make_caller(graph.court)
    listed = rail.get(f"{BASE}/corrections/").json()["results"]
    assert [o["id"] for o in listed] == [orders["rail"].pk]
    assert listed[0]["actions"] == [{"kind": "delete"}]
    assert listed[0]["path"] == ["court", "rail"] and listed[0]["received_via"] == "court"
    assert rail.get(f"{BASE}/corrections/{orders['court'].pk}/").status_code == 404
    assert (
        rail.post(
            f"{BASE}/corrections/{orders['court'].pk}/confirm",
            {"evidence_before": {"s": "active"}, "evidence_after": {"status": "deleted"}},
            format="json",
        ).status_code
        == 404
    )
    bad = court.post(
        f"{BASE}/corrections/{orders['court'].pk}/confirm",
        {"evidence_before": {"status": "active"}, "evidence_after": {"status": "hidden"}},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "evidence_after"
    missing = court.post(f"{BASE}/corrections/{orders['court'].pk}/confirm", {"evidence_after": {}}, format="json")
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} >= {"evidence_before"}
    ok = court.post(
        f"{BASE}/corrections/{orders['court'].pk}/confirm",
        {"evidence_before": {"status": "active"}, "evidence_after": {"status": "deleted"}, "note": "Removed."},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "confirmed" and ok.json()["evidence_after"] == {"status": "deleted"}
    assert CorrectionOrder.objects.get(pk=orders["court"].pk).confirmed_by_label == court.client.label
    pending = court.get(f"{BASE}/corrections/?status=ordered").json()["results"]
    assert pending == []


def test_nul_in_correction_evidence_is_a_400_naming_the_field(graph, orders):
    court = make_caller(graph.court)
    bad = court.post(
        f"{BASE}/corrections/{orders['court'].pk}/confirm",
        {"evidence_before": {"status": "active"}, "evidence_after": {"status": "deleted", "note": "a\x00b"}},
        format="json",
    )
    assert bad.status_code == 400, bad.content
    assert bad["Content-Type"] == "application/problem+json"
    assert "evidence_after.note" in bad.json()["detail"] and "NUL" in bad.json()["detail"]
    assert CorrectionOrder.objects.get(pk=orders["court"].pk).status == "ordered"


def test_record_report_reopens_a_closed_case(graph, orders):
    for slug, order in orders.items():
        ts.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(order.agency),
            evidence_before={"status": "active"},
            evidence_after={"status": "deleted"},
            now=timezone.now(),
        )
    complaint = orders["court"].complaint
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    school = make_caller(graph.school)
    bad = school.post(f"{BASE}/records/", {"citizen_match_token": "123", "agency_record_id": "S-1"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "citizen_match_token"
    unknown = school.post(
        f"{BASE}/records/",
        {"citizen_match_token": "a" * 64, "agency_record_id": "S-1", "category": "no-such-category"},
        format="json",
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "category"
    response = school.post(
        f"{BASE}/records/",
        {
            "citizen_match_token": complaint.citizen.national_id_hash,
            "agency_record_id": "S-2027-1",
            "category": graph.category.code,
            "list_name": "Restricted enrolment list",
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["matched"] is True
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATION


def test_information_request_model_has_no_other_agency_leak(graph, info_request):
    # the same id under another agency's token is indistinguishable from a missing id
    air = make_caller(graph.air)
    missing = air.get(f"{BASE}/information-requests/{InformationRequest.objects.count() + 100}/")
    other = air.get(f"{BASE}/information-requests/{info_request.pk}/")
    assert missing.status_code == other.status_code == 404
    assert missing.json()["detail"] == other.json()["detail"]


def test_json_answer_carrying_files_is_a_400_naming_files(graph, info_request):
    bank = make_caller(graph.bank)
    response = bank.post(
        f"{BASE}/information-requests/{info_request.pk}/answer",
        {"answer_text": "Attached.", "files": ["record.pdf"]},
        format="json",
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["files"]
    assert "multipart/form-data" in response.json()["errors"][0]["message"]
    info_request.refresh_from_db()
    assert info_request.status == "open"


def test_multipart_files_sent_as_text_are_a_400_not_dropped(graph, info_request):
    bank = make_caller(graph.bank)
    response = bank.post(
        f"{BASE}/information-requests/{info_request.pk}/answer",
        {"answer_text": "Attached.", "files": ["record.pdf"]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("files")
    info_request.refresh_from_db()
    assert info_request.status == "open"


def test_multipart_answers_one_part_per_answer_as_openapi_sends_them(graph, info_request):
    bank = make_caller(graph.bank)
    response = bank.post(
        f"{BASE}/information-requests/{info_request.pk}/answer",
        {
            "answer_text": "From the court.",
            "answers": [
                json.dumps({"question": "Where?", "answer": "The court."}),
                json.dumps({"question": "When?", "answer": "2025-06-03."}),
            ],
            "files": [SimpleUploadedFile("record.pdf", PDF, content_type="application/pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["question"] for a in body["answers"]] == ["Where?", "When?"]
    assert len(body["documents"]) == 1


def test_multipart_answers_that_are_not_json_are_a_400(graph, info_request):
    bank = make_caller(graph.bank)
    response = bank.post(
        f"{BASE}/information-requests/{info_request.pk}/answer",
        {"answer_text": "x", "answers": ["not json"]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("answers")


def test_an_information_requests_answers_are_typed_items_in_the_schema(db):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    schemas = APIClient().get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    answers = schemas["InformationRequest"]["properties"]["answers"]
    assert answers["type"] == "array" and answers["items"]["$ref"].endswith("/AnswerItem")
    assert set(schemas["AnswerItem"]["required"]) == {"question", "answer"}
