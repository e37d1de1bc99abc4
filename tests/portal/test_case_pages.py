import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaints import services
from complaints.models import CaseEvent
from complaints.transitions import Status
from kernel.actors import Actor
from tests.factories import NOW, BlacklistEntryFactory, UserFactory, make_complaint, walk_to

from .conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_a(citizen_a):
    return make_complaint(blacklist_entry=citizen_a.blacklist_entries.get())


def test_my_cases_lists_only_own_cases(client_a, client_b, case_a, citizen_b):
    other = make_complaint(blacklist_entry=citizen_b.blacklist_entries.get())
    body = client_a.get("/cases/").content.decode()
    assert case_a.reference in body and other.reference not in body


def test_citizen_b_cannot_see_citizen_a_case(client_b, case_a, citizen_a):
    assert client_b.get(f"/cases/{case_a.reference}/").status_code == 404
    assert client_b.post(f"/cases/{case_a.reference}/", {"action": "withdraw"}).status_code == 404
    att = services.attachment_add(
        complaint_id=case_a.pk,
        actor=Actor.for_user(citizen_a.user),
        fileobj=__import__("io").BytesIO(PDF),
        filename="x.pdf",
        now=NOW,
    )
    assert client_b.get(f"/cases/{case_a.reference}/files/{att.pk}/").status_code == 404
    case_a.refresh_from_db()
    assert case_a.status == Status.SUBMITTED


def test_case_page_shows_status_timeline_and_clocks(client_a, case_a):
    walk_to(case_a, Status.REFERRED)
    body = client_a.get(f"/cases/{case_a.reference}/").content.decode()
    assert "Waiting for the agency&#x27;s answer" in body or "Waiting for the agency's answer" in body
    assert "Referred to the agency" in body
    # the clocks the agency owes: due date and how it was computed
    assert "Answer the complaint" in body
    assert "How this deadline was worked out" in body
    # internal screening findings are not shown to the citizen
    assert "Screening findings" not in body


def test_internal_notes_stay_internal(client_a, case_a, officer):
    services.complaint_post_message(
        complaint_id=case_a.pk, actor=Actor.for_user(officer), text="Suspicious pattern", visibility="internal", now=NOW
    )
    assert "Suspicious pattern" not in client_a.get(f"/cases/{case_a.reference}/").content.decode()


def test_message_and_evidence(client_a, case_a):
    url = f"/cases/{case_a.reference}/"
    assert client_a.post(url, {"action": "message", "message-text": "Here is my receipt."}).status_code == 302
    assert CaseEvent.objects.filter(complaint=case_a, kind="message", message="Here is my receipt.").exists()
    response = client_a.post(url, {"action": "message", "message-text": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    up = SimpleUploadedFile("receipt.pdf", PDF)
    assert client_a.post(url, {"action": "evidence", "evidence-file": up}).status_code == 302
    bad = SimpleUploadedFile("receipt.exe", b"MZ\x90\x00" + b"\x00" * 100)
    response = client_a.post(url, {"action": "evidence", "evidence-file": bad})
    assert response.status_code == 400 and "Upload a PDF or an image" in response.content.decode()


def test_accept_the_agency_answer(client_a, case_a):
    walk_to(case_a, Status.AGENCY_RESPONDED)
    page = client_a.get(f"/cases/{case_a.reference}/").content.decode()
    assert "do you accept?" in page
    response = client_a.post(f"/cases/{case_a.reference}/", {"action": "accept"})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.RESOLVED


def test_contest_needs_a_reason_and_opens_an_investigation(client_a, case_a):
    walk_to(case_a, Status.AGENCY_RESPONDED)
    url = f"/cases/{case_a.reference}/"
    response = client_a.post(url, {"action": "contest", "contest-reason": ""})
    assert response.status_code == 400
    case_a.refresh_from_db()
    assert case_a.status == Status.AGENCY_RESPONDED
    response = client_a.post(url, {"action": "contest", "contest-reason": "The debt was paid; receipt attached."})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.INVESTIGATION


def test_actions_not_allowed_now_are_refused_with_4xx(client_a, case_a):
    # accepting before any answer: the transition table refuses -> 409, never 500
    response = client_a.post(f"/cases/{case_a.reference}/", {"action": "accept"})
    assert response.status_code == 409
    assert "do you accept?" not in client_a.get(f"/cases/{case_a.reference}/").content.decode()
    assert client_a.post(f"/cases/{case_a.reference}/", {"action": "explode"}).status_code == 400


def test_withdraw(client_a, case_a):
    response = client_a.post(f"/cases/{case_a.reference}/", {"action": "withdraw", "withdraw-reason": "Sorted out."})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.WITHDRAWN
    page = client_a.get(f"/cases/{case_a.reference}/").content.decode()
    assert "Withdraw my complaint" not in page and 'name="action" value="message"' not in page
    assert client_a.post(f"/cases/{case_a.reference}/", {"action": "withdraw"}).status_code == 409


def test_representative_sees_and_acts_on_the_represented_case(court):
    parent = UserFactory()
    from tests.factories import CitizenFactory

    child = CitizenFactory(user=None, representative=parent, representative_kind="parent")
    entry = BlacklistEntryFactory(citizen=child, agency=court)
    complaint_child = services.complaint_submit(
        citizen=child,
        actor=Actor.for_user(parent),
        respondent=court,
        blacklist_entry=entry,
        category="derived_from_relative",
        statement="Listed because of her father.",
        remedies_sought=["delete"],
        now=NOW,
    )
    client = Client()
    client.force_login(parent)
    assert client.get(f"/cases/{complaint_child.reference}/").status_code == 200
    assert (
        client.post(
            f"/cases/{complaint_child.reference}/", {"action": "message", "message-text": "Her school starts soon."}
        ).status_code
        == 302
    )


def test_officer_is_sent_to_the_officer_case_page(officer_client, case_a):
    assert officer_client.get("/cases/").status_code == 302
    assert officer_client.get(f"/cases/{case_a.reference}/").status_code == 404
    assert officer_client.get(f"/officer/cases/{case_a.reference}/").status_code == 200
