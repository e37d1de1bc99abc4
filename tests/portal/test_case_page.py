"""The citizen's case page leads with what matters: the decision on a decided case, what the
citizen must do on an answered one; "My cases" lists the cases waiting for them first."""

import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from accounts.models import User
from complaints.models import Complaint
from complaints.remedies import Remedy
from tribunal.models import Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo")


def test_closed_demo_case_leads_with_the_upheld_decision(client, demo):
    client.force_login(User.objects.get(email="parent@example.org"))
    case = Complaint.objects.get(citizen__full_name="Zhang Xiaoyu")
    body = client.get(f"/cases/{case.reference}/").content.decode()
    decision = body.index('class="panel decision"')
    assert decision < body.index('class="status-box"')
    assert decision < body.index("Verified as accurate")
    assert "Upheld" in body[decision : decision + 2000]
    assert body.count("Carried out (confirmed)") == 4
    assert "What you filed" in body and "I was listed because of a relative" in body
    assert "It blocks school enrolment" in body
    assert body.index("What you filed") < body.index('<details class="timeline-details">')


def test_answered_case_says_what_the_citizen_must_do_and_by_when(client, demo):
    client.force_login(User.objects.get(email="citizen@example.org"))
    case = Complaint.objects.get(status="agency_responded")
    body = client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    action = body.index("Action needed")
    assert action < body.index('class="status-box"')
    assert "Tell us whether you accept the agency&#x27;s answer" in body
    reply = case.clocks.get(owed_by="citizen", status="open")
    assert timezone.localtime(reply.due_at).strftime("%Y-%m-%d") in body[action : action + 600]


def test_my_cases_lists_cases_needing_action_first(client, demo):
    client.force_login(User.objects.get(email="citizen@example.org"))
    body = client.get("/cases/").content.decode()
    answered = Complaint.objects.get(status="agency_responded").reference
    others = Complaint.objects.filter(citizen__full_name="Li Wei").exclude(reference=answered)
    assert all(body.index(answered) < body.index(c.reference) for c in others)
    assert body.index("Action needed") < body.index(others[0].reference)


def test_another_citizen_cannot_open_the_case(client, demo):
    client.force_login(User.objects.get(email="citizen@example.org"))
    case = Complaint.objects.get(citizen__full_name="Zhang Xiaoyu")
    assert client.get(f"/cases/{case.reference}/").status_code == 404


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_decision_letter_is_a_pdf_in_the_citizens_language(client, demo, tmp_path):
    """Li Wei prefers Chinese: his decision letter says the outcome and the remedies in Chinese,
    even when the page was opened in English."""
    client.force_login(User.objects.get(email="citizen@example.org"))
    # His jaywalking case; the court's demo order for the agency portal is a second compliance case.
    case = Complaint.objects.get(
        status="compliance", citizen__full_name="Li Wei", respondent__slug="harbour-civic-credit"
    )
    response = client.get(f"/cases/{case.reference}/decision.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    with translation.override("zh-hans"):
        outcome, delete, apology = (
            str(Outcome.UPHELD.label),
            str(Remedy.DELETE.order_label),
            str(Remedy.APOLOGY.order_label),
        )
    assert outcome != "Upheld" and outcome in text
    assert delete in text and apology in text
    assert "Upheld" not in text
    # no decision yet: no letter
    submitted = Complaint.objects.get(status="submitted", citizen__full_name="Li Wei")
    assert client.get(f"/cases/{submitted.reference}/decision.pdf").status_code == 404
    assert client.get(f"/cases/{submitted.reference}/complaint.pdf").status_code == 200


def test_another_citizen_cannot_download_the_letter(client, demo):
    client.force_login(User.objects.get(email="citizen@example.org"))
    case = Complaint.objects.get(citizen__full_name="Zhang Xiaoyu")
    assert client.get(f"/cases/{case.reference}/decision.pdf").status_code == 404
    assert client.get(f"/cases/{case.reference}/complaint.pdf").status_code == 404
