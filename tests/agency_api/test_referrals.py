"""The referral contract: list/detail content, filters, pagination, the agency's steps and their
effect on the case, its record and its clocks; validation problems name the field."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citizens.models import RecordStatus
from clocks.models import Clock, ClockStatus
from complaints.models import AgencyResponse, Attachment, CaseEvent
from complaints.services import attachment_add, complaint_post_message
from complaints.transitions import Status
from kernel.actors import Actor
from outbox.models import OutboxMessage
from tests.agency_api.conftest import make_caller
from tests.factories import AgencyFactory, OfficerFactory, make_complaint, walk_to

BASE = "/api/v1/agency"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64

pytestmark = pytest.mark.django_db


def url(ref: str, action: str = "") -> str:
    return f"{BASE}/referrals/{ref}/" if not action else f"{BASE}/referrals/{ref}/{action}"


def test_list_shows_only_referred_cases_of_the_callers_agency(caller, agency, referral):
    other = make_complaint(status="referred", now=timezone.now())  # another agency's referral
    screening = make_complaint(status="screening", entry_kwargs={"agency": agency}, now=timezone.now())
    response = caller.get(f"{BASE}/referrals/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    refs = [r["reference"] for r in body["results"]]
    assert refs == [referral.reference]
    assert other.reference not in refs and screening.reference not in refs


def test_agency_sees_only_masked_id_and_match_token_never_the_number(caller, referral):
    citizen = referral.citizen
    raw = citizen.reveal_national_id()
    detail = caller.get(url(referral.reference))
    listing = caller.get(f"{BASE}/referrals/")
    for response in (detail, listing):
        assert raw not in response.content.decode()
    data = detail.json()
    assert data["citizen"] == {
        "full_name": citizen.full_name,
        "national_id_masked": citizen.national_id_masked,
        "national_id_hash": citizen.national_id_hash,
    }
    assert data["disputed_record"]["agency_record_id"] == referral.blacklist_entry.agency_record_id


def test_detail_has_statement_remedies_urgency_clocks_messages_and_evidence(caller, referral):
    now = timezone.now()
    officer = Actor.for_user(OfficerFactory())
    complaint_post_message(complaint_id=referral.pk, actor=officer, text="Please check the 2019 judgment.", now=now)
    complaint_post_message(
        complaint_id=referral.pk, actor=officer, text="internal only", now=now, visibility="internal"
    )
    attachment_add(
        complaint_id=referral.pk,
        actor=Actor.for_user(referral.citizen.user),
        fileobj=io.BytesIO(PNG),
        filename="receipt.png",
        now=now,
    )
    data = caller.get(url(referral.reference)).json()
    assert data["statement"] == referral.statement
    assert data["remedies_sought"] == ["correct"]
    assert data["urgent"] is False
    obligations = {c["obligation"] for c in data["clocks"]}
    assert {"acknowledge", "mark_disputed", "respond"} <= obligations
    assert all(c["rule"] and c["due_at"] and c["explanation"] for c in data["clocks"])
    texts = [m["text"] for m in data["messages"]]
    assert "Please check the 2019 judgment." in texts
    assert "internal only" not in texts
    [evidence] = data["evidence"]
    assert evidence["name"] == "receipt.png" and evidence["content_type"] == "image/png"
    download = caller.get(evidence["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert "/media/" not in evidence["download_url"]


def test_updated_after_accepts_any_offset(caller, referral):
    # Found by schemathesis on PostgreSQL: an offset of -23:35 reached the database and failed.
    response = caller.get(f"{BASE}/referrals/", {"updated_after": "0094-10-06T19:22:06-23:35"})
    assert response.status_code == 200
    assert [r["reference"] for r in response.json()["results"]] == [referral.reference]


def test_filters_status_and_updated_after(caller, agency, referral):
    responded = make_complaint(status="agency_responded", entry_kwargs={"agency": agency}, now=timezone.now())
    by_status = caller.get(f"{BASE}/referrals/", {"status": "agency_responded"}).json()["results"]
    assert [r["reference"] for r in by_status] == [responded.reference]
    later = (timezone.now() + timedelta(minutes=5)).isoformat()
    assert caller.get(f"{BASE}/referrals/", {"updated_after": later}).json()["results"] == []
    earlier = (timezone.now() - timedelta(days=1)).isoformat()
    assert len(caller.get(f"{BASE}/referrals/", {"updated_after": earlier}).json()["results"]) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "nonsense"}, "status"),
        ({"updated_after": "yesterday"}, "updated_after"),
        ({"updated_after": "0001-01-01T00:10:00+23:35"}, "updated_after"),
    ],
)
def test_bad_filters_are_400_problems_naming_the_field(caller, referral, params, field):
    response = caller.get(f"{BASE}/referrals/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_cursor_pagination_walks_every_referral_once(caller, agency):
    refs = {make_complaint(status="referred", entry_kwargs={"agency": agency}).reference for _ in range(5)}
    seen = []
    page = caller.get(f"{BASE}/referrals/", {"page_size": 2}).json()
    while True:
        seen += [r["reference"] for r in page["results"]]
        if not page["next"]:
            break
        page = caller.get(page["next"]).json()
    assert sorted(seen) == sorted(refs)


def test_list_query_count_does_not_grow_with_page_size(caller, agency):
    for _ in range(12):
        make_complaint(status="referred", entry_kwargs={"agency": agency})
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as ctx:
            response = caller.get(f"{BASE}/referrals/", {"page_size": size})
        assert response.status_code == 200 and len(response.json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    # the token (joined with client and agency), the page, and one INSERT into the access log
    assert counts[1] <= 3, counts


def test_acknowledge_and_flag_disputed_meet_their_clocks_and_mark_the_record(caller, referral):
    ack = caller.post(url(referral.reference, "acknowledge"))
    assert ack.status_code == 200, ack.content
    assert ack.json()["event"]["kind"] == "agency_acknowledged"
    flag = caller.post(url(referral.reference, "flag-disputed"))
    assert flag.status_code == 200, flag.content
    referral.blacklist_entry.refresh_from_db()
    assert referral.blacklist_entry.status == RecordStatus.DISPUTED
    clocks = {c.obligation: c for c in Clock.objects.filter(complaint=referral)}
    assert clocks["acknowledge"].status == ClockStatus.MET
    assert clocks["mark_disputed"].status == ClockStatus.MET
    assert clocks["respond"].status == ClockStatus.OPEN
    # Once per referral: a repeat is a 409 problem, nothing new on the timeline.
    before = CaseEvent.objects.filter(complaint=referral).count()
    again = caller.post(url(referral.reference, "acknowledge"))
    assert again.status_code == 409
    assert again.json()["type"].endswith("conflict")
    assert CaseEvent.objects.filter(complaint=referral).count() == before


def test_response_corrected_moves_case_and_meets_respond_clock(caller, referral):
    body = {
        "outcome": "corrected",
        "explanation": "The judgment was paid in 2021; the entry is removed.",
        "corrections": [{"field": "status", "old_value": "listed", "new_value": "removed"}],
    }
    response = caller.post(url(referral.reference, "response"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "agency_responded"
    answer = AgencyResponse.objects.get(complaint=referral)
    assert answer.corrections == body["corrections"]
    assert Clock.objects.get(complaint=referral, obligation="respond").status == ClockStatus.MET
    # The case is no longer awaiting the agency: a second answer is a conflict.
    assert caller.post(url(referral.reference, "response"), body, format="json").status_code == 409


def test_verified_answer_sends_case_to_investigation(caller, referral):
    response = caller.post(
        url(referral.reference, "response"), {"outcome": "verified", "explanation": "Checked."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "investigation"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"explanation": "x"}, ["outcome"]),
        ({"outcome": "corrected"}, ["explanation"]),
        ({"outcome": "fixed", "explanation": "x"}, ["outcome"]),
        ({"outcome": "corrected", "explanation": "x"}, ["corrections"]),
        ({"outcome": "partially_corrected", "explanation": "x", "corrections": []}, ["corrections"]),
        (
            {"outcome": "corrected", "explanation": "x", "corrections": [{"field": "a"}]},
            ["corrections.0.old_value", "corrections.0.new_value"],
        ),
        ({"outcome": "corrected", "explanation": "x", "corrections": "a"}, ["corrections"]),
    ],
)
def test_response_validation_names_fields(caller, referral, body, fields):
    response = caller.post(url(referral.reference, "response"), body, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert sorted(e["field"] for e in response.json()["errors"]) == sorted(fields)
    assert not AgencyResponse.objects.filter(complaint=referral).exists()


def test_disclosure_request_requires_scoring_criteria(agency):
    caller = make_caller(agency)
    complaint = make_complaint(
        status="referred",
        entry_kwargs={"agency": agency},
        category="undisclosed_criteria",
        remedies_sought=["disclose_criteria"],
    )
    bad = caller.post(url(complaint.reference, "response"), {"outcome": "verified", "explanation": "x"}, format="json")
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["scoring_criteria"]
    criteria = [
        {
            "factor": "Court judgments",
            "description": "Unpaid judgments on the list",
            "direction_or_weight": "lowers the score by 50",
            "data_source": "Supreme People's Court",
        }
    ]
    ok = caller.post(
        url(complaint.reference, "response"),
        {"outcome": "verified", "explanation": "x", "scoring_criteria": criteria},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert AgencyResponse.objects.get(complaint=complaint).scoring_criteria == criteria


def test_messages_and_attachments(caller, referral):
    msg = caller.post(url(referral.reference, "messages"), {"text": "We need the payment receipt."}, format="json")
    assert msg.status_code == 201
    assert CaseEvent.objects.filter(complaint=referral, kind="message", visibility="parties").exists()
    assert caller.post(url(referral.reference, "messages"), {"text": "  "}, format="json").status_code == 400
    upload = io.BytesIO(PNG)
    upload.name = "../../etc/passwd.png"
    att = caller.post(url(referral.reference, "attachments"), {"file": upload}, format="multipart")
    assert att.status_code == 201, att.content
    stored = Attachment.objects.get(complaint=referral)
    assert stored.uploaded_by_agency_id == referral.respondent_id
    assert "/" not in stored.original_name and stored.stored_name.endswith(".png")
    text = io.BytesIO(b"#!/bin/sh\necho hi\n")
    text.name = "x.png"
    bad = caller.post(url(referral.reference, "attachments"), {"file": text}, format="multipart")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "file"


def test_webhook_endpoint_put_shows_secret_once(caller, settings):
    missing = caller.get(f"{BASE}/webhook")
    assert missing.status_code == 404 and "PUT one" in missing.json()["detail"]
    created = caller.put(f"{BASE}/webhook", {"url": "https://hooks.example.org/omb"}, format="json")
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    changed = caller.put(f"{BASE}/webhook", {"url": "https://hooks.example.org/v2"}, format="json")
    assert changed.status_code == 200 and "secret" not in changed.json()
    shown = caller.get(f"{BASE}/webhook").json()
    assert shown["url"] == "https://hooks.example.org/v2" and "secret" not in shown
    rotated = caller.put(
        f"{BASE}/webhook", {"url": "https://hooks.example.org/v2", "rotate_secret": True}, format="json"
    )
    assert rotated.json()["secret"] not in ("", secret)


@pytest.mark.parametrize(
    "hook",
    [
        "http://hooks.example.org/x",
        "https://127.0.0.1/x",
        "https://10.0.0.5/x",
        "https://169.254.169.254/latest",
        "https://[::1]/x",
        "https://localhost/x",
        "https://user:pw@hooks.example.org/x",
        "not a url",
    ],
)
def test_webhook_endpoint_refuses_http_and_private_addresses(caller, hook):
    response = caller.put(f"{BASE}/webhook", {"url": hook}, format="json")
    assert response.status_code == 400, (hook, response.content)
    assert response.json()["errors"][0]["field"] == "url"


def test_referral_created_enqueued_in_the_referral_transaction(agency):
    complaint = make_complaint(status="referred", entry_kwargs={"agency": agency})
    message = OutboxMessage.objects.get(topic="referral.created", complaint_id=complaint.pk)
    assert message.channel == "webhook" and message.agency_id == agency.pk
    assert message.payload["data"]["reference"] == complaint.reference
    assert complaint.citizen.reveal_national_id() not in json.dumps(message.payload)


def test_other_agencys_caller_gets_404_for_every_step(referral):
    intruder = make_caller(AgencyFactory())
    for action in ("acknowledge", "flag-disputed", "response", "messages"):
        response = intruder.post(url(referral.reference, action), {"text": "x"}, format="json")
        assert response.status_code == 404, action
        assert response["Content-Type"] == "application/problem+json"
    assert not CaseEvent.objects.filter(complaint=referral, actor_kind="agency").exists()


def test_a_referral_says_when_a_verified_representative_filed_it(caller, agency):
    from citizens.models import Citizen

    complaint = make_complaint(status="referred", entry_kwargs={"agency": agency})
    assert caller.get(f"{BASE}/referrals/{complaint.reference}/").json()["representation"] is None
    Citizen.objects.filter(pk=complaint.citizen_id).update(
        representative=complaint.filed_by, representative_kind="parent", user=None
    )
    body = caller.get(f"{BASE}/referrals/{complaint.reference}/").json()
    assert body["representation"] == {"kind": "parent", "verified": True}


def test_a_second_answer_is_a_409_saying_what_the_agency_can_do(caller, referral):
    body = {"outcome": "deleted", "explanation": "The listing is deleted."}
    assert caller.post(url(referral.reference, "response"), body, format="json").status_code == 201
    again = caller.post(url(referral.reference, "response"), body, format="json")
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert detail.startswith("This referral already has a final answer (deleted, ")
    assert f"POST referrals/{referral.reference}/messages" in detail and "/attachments" in detail
    assert AgencyResponse.objects.filter(complaint=referral).count() == 1


def test_an_answer_to_a_withdrawn_referral_keeps_the_state_message(caller, agency):
    complaint = make_complaint(status="referred", entry_kwargs={"agency": agency}, now=timezone.now())
    walk_to(complaint, Status.WITHDRAWN)
    response = caller.post(
        url(complaint.reference, "response"), {"outcome": "deleted", "explanation": "x"}, format="json"
    )
    assert response.status_code == 409
    assert "already has a final answer" not in response.json()["detail"]


@pytest.mark.parametrize("outcome", ["verified", "deleted", "misdirected", "needs_information"])
def test_corrections_with_an_outcome_that_changes_nothing_are_a_400(caller, referral, outcome):
    body = {
        "outcome": outcome,
        "explanation": "Checked.",
        "corrections": [{"field": "status", "old_value": "listed", "new_value": "listed"}],
    }
    response = caller.post(url(referral.reference, "response"), body, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "corrections" and outcome in error["message"]
    assert not AgencyResponse.objects.filter(complaint=referral).exists()


def test_answers_and_clocks_are_typed_in_the_schema(caller):
    schemas = caller.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    answer = schemas["AgencyResponse"]["properties"]
    assert answer["corrections"]["items"]["$ref"].endswith("/RecordedCorrection")
    assert answer["scoring_criteria"]["items"]["$ref"].endswith("/RecordedCriterion")
    clock = schemas["Clock"]["properties"]

    def enum_of(prop):  # type: ignore[no-untyped-def]
        return (prop.get("$ref") or prop["allOf"][0]["$ref"]).rsplit("/", 1)[1]

    assert enum_of(clock["obligation"]) == "ObligationEnum" and "acknowledge" in schemas["ObligationEnum"]["enum"]
    assert "missed" in schemas[enum_of(clock["status"])]["enum"]
    assert enum_of(schemas["StepResult"]["properties"]["status"]) == "ComplaintStatusEnum"
    assert enum_of(schemas["ResponseResult"]["properties"]["status"]) == "ComplaintStatusEnum"
