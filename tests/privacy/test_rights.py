"""The citizen's rights: the data export (every case of the person and nothing of anyone else;
nobody else can fetch it) and deletion requests decided by an officer (logged; refused -> the
reason told in the person's language; granted -> erased now by the retention service)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citizens.models import AccessKind, AccessLogEntry, Citizen
from complaints import services
from complaints.models import Complaint
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.errors import Conflict
from outbox.models import OutboxMessage
from privacy.models import ERASED, DeletionRequest, DeletionStatus, Erasure, ErasureKind, ErasureTrigger
from privacy.selectors import citizen_export
from privacy.services import deletion_request_create, deletion_request_decide
from tests.factories import (
    AgencyFactory,
    BlacklistEntryFactory,
    CitizenFactory,
    OfficerFactory,
    make_complaint,
    walk_to,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _case(citizen, agency, statement: str) -> Complaint:
    now = timezone.now() - timedelta(days=3)
    complaint = make_complaint(
        blacklist_entry=BlacklistEntryFactory(citizen=citizen, agency=agency), statement=statement, now=now
    )
    actor = Actor.for_user(citizen.user)
    services.complaint_post_message(complaint_id=complaint.pk, actor=actor, text=f"Note of {statement}", now=now)
    services.attachment_add(
        complaint_id=complaint.pk, actor=actor, fileobj=io.BytesIO(PDF), filename=f"{statement}.pdf", now=now
    )
    return complaint


@pytest.fixture
def people():
    agency = AgencyFactory(name_en="City credit scheme")
    mine = CitizenFactory(full_name="Zhang Min", phone="+86 138 1111 2222")
    theirs = CitizenFactory(full_name="Huang Lei", phone="+86 139 3333 4444")
    my_cases = [_case(mine, agency, "alpha-statement"), _case(mine, agency, "beta-statement")]
    their_case = _case(theirs, agency, "gamma-statement")  # same agency, another person
    officer = OfficerFactory(full_name="Officer Reader")
    for citizen, case in ((mine, my_cases[0]), (theirs, their_case)):
        AccessLogEntry.objects.create(
            at=timezone.now(),
            citizen=citizen,
            complaint_id=case.pk,
            kind=AccessKind.CASE,
            reader_kind="officer",
            reader_user=officer,
            why="officer-case",
        )
    return {"agency": agency, "mine": mine, "theirs": theirs, "my_cases": my_cases, "their_case": their_case}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_export_holds_every_case_of_the_person_and_nothing_of_anyone_else(people):
    from tribunal.models import Determination, DeterminationReview, ProvisionalComment

    for case, text in ((people["my_cases"][0], "My comment on the draft."), (people["their_case"], "Huang's comment.")):
        walk_to(case, Status.DETERMINATION)
        decision = Determination.objects.get(complaint=case)
        ProvisionalComment.objects.create(
            determination=decision, party="citizen", author_label="x", text=text, created_at=timezone.now()
        )
        DeterminationReview.objects.create(
            determination=decision,
            party="citizen",
            requested_by_label="x",
            reasons=f"Review: {text}",
            requested_at=timezone.now(),
        )
    response = _client(people["mine"].user).get(f"/data/{people['mine'].pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    text = response.content.decode()

    assert {c["reference"] for c in data["cases"]} == {c.reference for c in people["my_cases"]}
    assert data["person"]["full_name"] == "Zhang Min"
    assert data["person"]["phone"] == "+86 138 1111 2222"
    assert people["mine"].national_id_masked == data["person"]["national_id"]  # never the plain number
    by_ref = {c["reference"]: c for c in data["cases"]}
    first = by_ref[people["my_cases"][0].reference]
    assert first["statement"] == "alpha-statement"
    assert any(e["message"] == "Note of alpha-statement" for e in first["timeline"])
    assert [f["name"] for f in first["files"]] == ["alpha-statement.pdf"]
    assert first["files"][0]["download"].endswith(
        f"/cases/{first['reference']}/files/{people['my_cases'][0].attachments.get().pk}/"
    )
    assert [c["text"] for c in first["your_comments_on_provisional_decisions"]] == ["My comment on the draft."]
    assert [d["outcome"] for d in first["decisions"]] == ["Partly upheld"]
    assert [r["reasons"] for r in first["your_review_requests"]] == ["Review: My comment on the draft."]
    assert [r["case"] for r in data["who_read_my_file"]] == [people["my_cases"][0].reference]
    assert data["who_read_my_file"][0]["name"] == "Officer Reader"

    for foreign in ("Huang Lei", "gamma-statement", people["their_case"].reference, "139 3333 4444", "Huang's comment"):
        assert foreign not in text


def test_nobody_else_fetches_the_export(people):
    mine = people["mine"]
    for url in (f"/data/{mine.pk}/export.json", f"/data/{mine.pk}/export.pdf"):
        assert _client(people["theirs"].user).get(url).status_code == 404
        assert _client(OfficerFactory()).get(url).status_code == 404  # staff read through the officer pages
        assert Client().get(url).status_code == 302  # sign in first


def test_a_representative_fetches_the_export_of_the_person_they_represent(people):
    mine = people["mine"]
    parent = CitizenFactory().user
    Citizen.objects.filter(pk=mine.pk).update(representative=parent, representative_kind="parent")
    assert _client(parent).get(f"/data/{mine.pk}/export.json").status_code == 200


def test_the_pdf_export(people):
    response = _client(people["mine"].user).get(f"/data/{people['mine'].pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_page_lists_the_downloads_and_the_deletion_form(people):
    response = _client(people["mine"].user).get("/data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/data/{people['mine'].pk}/export.json" in page
    assert f"/data/{people['theirs'].pk}/" not in page
    zh = _client(people["mine"].user).get("/data/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "您的信息" in zh.content.decode()


def test_export_reads_a_fixed_number_of_queries(people):
    mine = people["mine"]
    with CaptureQueriesContext(connection) as two:
        citizen_export(citizen=mine, now=timezone.now())
    for n in range(3):
        _case(mine, people["agency"], f"more-{n}")
    with CaptureQueriesContext(connection) as five:
        data = citizen_export(citizen=mine, now=timezone.now())
    assert len(data["cases"]) == 5
    assert len(five) == len(two)


def test_asking_for_deletion_and_a_refusal_in_the_persons_language(people):
    mine = people["mine"]
    Citizen.objects.filter(pk=mine.pk).update(preferred_language="zh-hans")
    client = _client(mine.user)
    assert client.post(f"/data/{mine.pk}/delete/", {f"delete-{mine.pk}-reason": ""}).status_code == 400
    response = client.post(f"/data/{mine.pk}/delete/", {f"delete-{mine.pk}-reason": "I moved abroad."})
    assert response.status_code == 302
    again = client.post(f"/data/{mine.pk}/delete/", {f"delete-{mine.pk}-reason": "Again."})
    assert again.status_code == 409
    assert (
        _client(people["theirs"].user).post(f"/data/{mine.pk}/delete/", {f"delete-{mine.pk}-reason": "x"}).status_code
        == 404
    )
    request = DeletionRequest.objects.get()
    assert (request.citizen_id, request.reason, request.status) == (mine.pk, "I moved abroad.", DeletionStatus.PENDING)

    officer = OfficerFactory()
    decided = deletion_request_decide(
        request_id=request.pk,
        actor=Actor.for_user(officer),
        grant=False,
        reason="Your cases are still open.",
        now=timezone.now(),
    )
    assert (decided.status, decided.decided_by, decided.decision_reason) == (
        DeletionStatus.REFUSED,
        officer,
        "Your cases are still open.",
    )
    mail = OutboxMessage.objects.get(topic="email.deletion_request.refused")
    assert mail.recipient == mine.email
    assert "您的删除请求未获批准" in mail.payload["subject"]
    assert "Your cases are still open." in mail.payload["body"]
    with pytest.raises(Conflict):
        deletion_request_decide(
            request_id=request.pk, actor=Actor.for_user(officer), grant=True, reason="x", now=timezone.now()
        )


def test_a_grant_is_refused_while_a_case_is_open_then_erases_now(people):
    mine = people["mine"]
    officer = Actor.for_user(OfficerFactory())
    request = deletion_request_create(citizen_id=mine.pk, user=mine.user, reason="Please.", now=timezone.now())
    with pytest.raises(Conflict) as refused:
        deletion_request_decide(
            request_id=request.pk, actor=officer, grant=True, reason="PIPL art. 47.", now=timezone.now()
        )
    assert people["my_cases"][0].reference in refused.value.message
    for case in people["my_cases"]:
        walk_to(case, Status.WITHDRAWN)
    deletion_request_decide(
        request_id=request.pk, actor=officer, grant=True, reason="PIPL art. 47.", now=timezone.now()
    )

    assert OutboxMessage.objects.filter(topic="email.deletion_request.granted", recipient=mine.email).count() == 1
    for case in people["my_cases"]:
        case.refresh_from_db()
        assert case.statement == ERASED
        assert case.attachments.get().file.name == ""
    assert Erasure.objects.filter(kind=ErasureKind.CASE, trigger=ErasureTrigger.REQUEST, request=request).count() == 2
    person = Citizen.objects.get(pk=mine.pk)
    assert (person.full_name, person.phone, person.email) == (ERASED, "", "")
    their = Complaint.objects.get(pk=people["their_case"].pk)
    assert their.statement == "gamma-statement"
    assert Citizen.objects.get(pk=people["theirs"].pk).full_name == "Huang Lei"


def test_officers_list_and_decide_with_the_read_logged(people):
    mine = people["mine"]
    request = deletion_request_create(citizen_id=mine.pk, user=mine.user, reason="Please.", now=timezone.now())
    officer = OfficerFactory()
    client = _client(officer)
    listing = client.get("/officer/deletion-requests/")
    assert listing.status_code == 200 and "Zhang Min" in listing.content.decode()
    page = client.get(f"/officer/deletion-requests/{request.pk}/")
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(citizen=mine, reader_user=officer, kind=AccessKind.PERSONAL_DATA).exists()
    bad = client.post(f"/officer/deletion-requests/{request.pk}/", {"decision": "refuse", "reason": ""})
    assert bad.status_code == 400
    done = client.post(f"/officer/deletion-requests/{request.pk}/", {"decision": "refuse", "reason": "Open cases."})
    assert done.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == (
        DeletionStatus.REFUSED,
        officer,
        "Open cases.",
    )
    granted = client.post(f"/officer/deletion-requests/{request.pk}/", {"decision": "grant", "reason": "x"})
    assert granted.status_code == 409


def test_the_officers_list_shows_waiting_requests_first(people):
    from privacy.selectors import deletion_requests_queue

    now = timezone.now()
    officer = Actor.for_user(OfficerFactory())
    refused = deletion_request_create(citizen_id=people["theirs"].pk, user=people["theirs"].user, reason="a", now=now)
    deletion_request_decide(request_id=refused.pk, actor=officer, grant=False, reason="Open cases.", now=now)
    waiting = deletion_request_create(
        citizen_id=people["mine"].pk, user=people["mine"].user, reason="b", now=now + timedelta(minutes=1)
    )
    assert [r.pk for r in deletion_requests_queue()] == [waiting.pk, refused.pk]
