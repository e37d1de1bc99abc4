import io
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clocks.models import Clock, ClockStatus, Obligation
from complaints import services
from complaints.models import CaseEvent
from complaints.transitions import Status
from kernel.actors import Actor
from outbox.models import DeliveryAttempt, OutboxMessage
from tests.factories import NOW, AgencyFactory, BlacklistEntryFactory, OfficerFactory, make_complaint, walk_to
from tests.portal.conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_a(citizen_a):
    return make_complaint(
        blacklist_entry=citizen_a.blacklist_entries.get(), statement="Listed for a paid debt of 5000 yuan"
    )


def test_officer_pages_are_404_for_citizens_and_login_for_anonymous(client_a, case_a):
    for url in ("/officer/", "/officer/file/", f"/officer/cases/{case_a.reference}/"):
        assert client_a.get(url).status_code == 404
        assert Client().get(url).status_code == 302


def test_queues_with_counts(officer_client, case_a, citizen_b):
    other = make_complaint(blacklist_entry=citizen_b.blacklist_entries.get())
    walk_to(other, Status.REFERRED)
    response = officer_client.get("/officer/")
    body = response.content.decode()
    assert response.status_code == 200
    assert case_a.reference in body and other.reference not in body  # "new" queue by default
    counts = {key: count for key, _label, count in response.context["queues"]}
    assert counts["new"] == 1 and counts["awaiting_agency"] == 1 and counts["open"] == 2
    body = officer_client.get("/officer/?queue=awaiting_agency").content.decode()
    assert other.reference in body and case_a.reference not in body


def test_clock_queues_come_from_the_clocks_app(officer_client, case_a):
    walk_to(case_a, Status.REFERRED)

    clock = Clock.objects.filter(complaint=case_a).order_by("due_at").first()
    assert clock is not None
    Clock.objects.filter(pk=clock.pk).update(due_at=NOW)  # ran out in the past
    response = officer_client.get("/officer/?queue=overdue")
    assert case_a.reference in response.content.decode()
    counts = {key: count for key, _label, count in response.context["queues"]}
    assert counts["overdue"] == 1


def test_filters_and_search(officer_client, case_a, citizen_b, officer):
    other_agency = AgencyFactory(name_en="Somewhere else")
    other = make_complaint(
        blacklist_entry=BlacklistEntryFactory(citizen=citizen_b, agency=other_agency), statement="Garbage sorting"
    )
    body = officer_client.get("/officer/", {"queue": "all", "agency": other_agency.pk}).content.decode()
    assert other.reference in body and case_a.reference not in body
    body = officer_client.get("/officer/", {"queue": "all", "q": "paid debt"}).content.decode()
    assert case_a.reference in body and other.reference not in body
    response = officer_client.get("/officer/", {"queue": "all", "q": other.reference})
    assert response.status_code == 302 and response["Location"] == f"/officer/cases/{other.reference}/"
    services.complaint_assign(complaint_id=other.pk, officer=officer, actor=Actor.for_user(officer), now=NOW)
    body = officer_client.get("/officer/", {"queue": "all", "officer": "me"}).content.decode()
    assert other.reference in body and case_a.reference not in body
    body = officer_client.get("/officer/", {"queue": "all", "officer": "none"}).content.decode()
    assert case_a.reference in body and other.reference not in body
    assert officer_client.get("/officer/", {"queue": "all", "agency": "not-a-number"}).status_code == 400


@pytest.mark.postgres
def test_full_text_search_on_postgres(officer_client, case_a, citizen_b):
    other = make_complaint(blacklist_entry=citizen_b.blacklist_entries.get(), statement="Garbage sorting points")
    body = officer_client.get("/officer/", {"queue": "all", "q": "debts paid"}).content.decode()
    assert case_a.reference in body and other.reference not in body
    body = officer_client.get("/officer/", {"queue": "all", "q": "garbage -debt"}).content.decode()
    assert other.reference in body and case_a.reference not in body
    chinese = make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=citizen_b), statement="我已经还清了债务。")
    body = officer_client.get("/officer/", {"queue": "all", "q": "还清"}).content.decode()
    assert chinese.reference in body and case_a.reference not in body


def test_triage_and_refer_through_the_case_page(officer_client, case_a):
    url = f"/officer/cases/{case_a.reference}/"
    page = officer_client.get(url).content.decode()
    assert 'value="start_screening"' in page and 'value="refer"' not in page  # only allowed transitions
    assert officer_client.post(url, {"action": "start_screening"}).status_code == 302
    page = officer_client.get(url).content.decode()
    assert "Screening findings" in page  # internal events visible to officers
    assert officer_client.post(url, {"action": "refer", "refer-note": ""}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.REFERRED
    page = officer_client.get(url).content.decode()
    assert "Answer the complaint" in page  # the agency's clocks


def test_transition_refused_is_409_and_reason_is_required(officer_client, case_a):
    url = f"/officer/cases/{case_a.reference}/"
    response = officer_client.post(url, {"action": "refer"})
    assert response.status_code == 409
    case_a.refresh_from_db()
    assert case_a.status == Status.SUBMITTED
    response = officer_client.post(url, {"action": "rule_out_of_scope", "rule_out_of_scope-reason": ""})
    assert response.status_code == 400
    assert officer_client.post(url, {"action": "nonsense"}).status_code == 400


def test_manual_and_automatic_assignment(officer_client, officer, case_a, citizen_b):
    url = f"/officer/cases/{case_a.reference}/"
    busy = OfficerFactory(email="busy@example.org")
    idle = OfficerFactory(email="idle@example.org")
    for _ in range(2):
        c = make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=citizen_b))
        services.complaint_assign(complaint_id=c.pk, officer=busy, actor=Actor.for_user(officer), now=NOW)
    c = make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=citizen_b))
    services.complaint_assign(complaint_id=c.pk, officer=officer, actor=Actor.for_user(officer), now=NOW)

    assert officer_client.post(url, {"action": "assign", "assign-officer": busy.pk}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.assigned_officer == busy
    assert officer_client.post(url, {"action": "assign_auto"}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.assigned_officer == idle  # no open cases
    assert CaseEvent.objects.filter(complaint=case_a, kind="assigned").count() == 2
    response = officer_client.post(url, {"action": "assign", "assign-officer": 999999})
    assert response.status_code == 400


def test_internal_note_and_message(officer_client, case_a, client_a):
    url = f"/officer/cases/{case_a.reference}/"
    officer_client.post(
        url, {"action": "message", "message-text": "Check the court file", "message-visibility": "internal"}
    )
    officer_client.post(
        url, {"action": "message", "message-text": "Please send the receipt", "message-visibility": "citizen"}
    )
    officer_page = officer_client.get(url).content.decode()
    assert "Check the court file" in officer_page and "Please send the receipt" in officer_page
    citizen_page = client_a.get(f"/cases/{case_a.reference}/").content.decode()
    assert "Please send the receipt" in citizen_page and "Check the court file" not in citizen_page


def test_webhook_delivery_log_shows_this_case_only(officer_client, case_a, citizen_b, court):
    other = make_complaint(blacklist_entry=citizen_b.blacklist_entries.get())

    def msg(complaint, topic):
        m = OutboxMessage.objects.create(
            channel="webhook",
            topic=topic,
            dedupe_key=str(uuid.uuid4()),
            recipient=court.slug,
            agency=court,
            complaint_id=complaint.pk,
            payload={},
            next_attempt_at=NOW,
            created_at=NOW,
        )
        DeliveryAttempt.objects.create(message=m, attempted_at=NOW, succeeded=False, status_code=503, detail="down")
        return m

    msg(case_a, "referral.created.mine")
    msg(other, "referral.created.theirs")
    page = officer_client.get(f"/officer/cases/{case_a.reference}/").content.decode()
    assert "referral.created.mine" in page and "referral.created.theirs" not in page
    assert "HTTP 503" in page


def test_officer_sees_masked_id_only(officer_client, case_a):
    page = officer_client.get(f"/officer/cases/{case_a.reference}/").content.decode()
    assert "110101198001011234" not in page and "11**************34" in page


def test_officer_downloads_evidence_citizen_cannot_use_officer_url(officer_client, client_a, case_a, citizen_a):

    att = services.attachment_add(
        complaint_id=case_a.pk,
        actor=Actor.for_user(citizen_a.user),
        fileobj=io.BytesIO(PDF),
        filename="proof.pdf",
        now=NOW,
    )
    response = officer_client.get(f"/officer/cases/{case_a.reference}/files/{att.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="proof.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert client_a.get(f"/officer/cases/{case_a.reference}/files/{att.pk}/").status_code == 404
    assert officer_client.get(f"/officer/cases/{case_a.reference}/files/999999/").status_code == 404


def test_officer_pauses_and_resumes_a_clock(officer_client, case_a, client_a):

    walk_to(case_a, Status.REFERRED)
    clock = Clock.objects.get(complaint=case_a, obligation=Obligation.RESPOND)
    due = clock.due_at
    url = f"/officer/cases/{case_a.reference}/"
    response = officer_client.post(url, {"action": "clock_pause", "clock_id": clock.pk, f"clock{clock.pk}-reason": ""})
    assert response.status_code == 400
    response = officer_client.post(
        url, {"action": "clock_pause", "clock_id": clock.pk, f"clock{clock.pk}-reason": "Waiting for the receipt"}
    )
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.status == ClockStatus.PAUSED
    assert (
        officer_client.post(
            url, {"action": "clock_pause", "clock_id": clock.pk, f"clock{clock.pk}-reason": "x"}
        ).status_code
        == 409
    )
    assert officer_client.post(url, {"action": "clock_resume", "clock_id": clock.pk}).status_code == 302
    clock.refresh_from_db()
    assert clock.status == ClockStatus.OPEN and clock.due_at >= due
    # a clock of another case cannot be reached through this case
    assert officer_client.post(url, {"action": "clock_resume", "clock_id": 999999}).status_code == 404
    # citizens never get the controls
    assert (
        client_a.post(f"/cases/{case_a.reference}/", {"action": "clock_pause", "clock_id": clock.pk}).status_code == 400
    )


def test_queue_page_query_count_does_not_grow_with_cases(officer_client, citizen_b):
    def count_queries():

        with CaptureQueriesContext(connection) as ctx:
            assert officer_client.get("/officer/", {"queue": "all"}).status_code == 200
        return len(ctx.captured_queries)

    make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=citizen_b))
    few = count_queries()
    for _ in range(8):
        make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=citizen_b))
    assert count_queries() == few


def test_investigation_links_to_the_tribunal_page_and_determinations_are_not_bypassed(officer_client, case_a):
    walk_to(case_a, Status.INVESTIGATION)
    page = officer_client.get(f"/officer/cases/{case_a.reference}/").content.decode()
    assert f"/officer/cases/{case_a.reference}/investigation/" in page
    # the decision is drafted and signed on the tribunal page, never issued from here
    assert 'value="issue_determination"' not in page
    response = officer_client.post(f"/officer/cases/{case_a.reference}/", {"action": "issue_determination"})
    assert response.status_code == 400
    assert officer_client.get(f"/officer/cases/{case_a.reference}/investigation/").status_code == 200


def test_htmx_filter_returns_only_the_result_list(officer_client, case_a, citizen_b):
    other = make_complaint(blacklist_entry=citizen_b.blacklist_entries.get(), statement="Garbage sorting")
    response = officer_client.get("/officer/", {"queue": "all", "q": "garbage"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and other.reference in body and case_a.reference not in body
