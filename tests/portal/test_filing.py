import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from citizens.models import Citizen, RepresentationRequest
from citizens.services import representation_verify
from complaints.models import Attachment, CaseEvent, Complaint
from kernel.actors import Actor
from tests.factories import AgencyFactory, BlacklistEntryFactory, CitizenFactory, OfficerFactory

from .conftest import PDF, PNG

pytestmark = pytest.mark.django_db


def _step1(client, citizen, agency, record, other=""):
    return client.post(
        "/file/",
        {"citizen": citizen.pk, "respondent": agency.pk, "record": record, "other_record_description": other},
    )


def _details(client, **overrides):
    data = {
        "category": "inaccurate_data",
        "statement": "I paid the debt in 2024; the listing is wrong.",
        "remedies_sought": ["delete", "lift_sanction"],
        "urgent": "on",
        "urgency_reason": "travel",
        "urgency_detail": "Flight on 3 December",
    }
    data.update(overrides)
    return client.post("/file/details/", data)


def test_three_screens_file_a_complaint_with_evidence(client_a, citizen_a, court):
    entry = citizen_a.blacklist_entries.get()
    page = client_a.get("/file/")
    assert page.status_code == 200
    assert f'value="b:{entry.pk}"' in page.content.decode()

    assert _step1(client_a, citizen_a, court, f"b:{entry.pk}")["Location"] == "/file/details/"
    upload = SimpleUploadedFile("judgment paid.pdf", PDF, content_type="application/pdf")
    response = _details(client_a, evidence=upload)
    assert response.status_code == 302 and response["Location"] == "/file/review/"

    review = client_a.get("/file/review/")
    body = review.content.decode()
    assert review.status_code == 200
    assert "judgment paid.pdf" in body and "Dishonest debtors" in body and "It blocks imminent travel" in body

    response = client_a.post("/file/review/")
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{complaint.reference}/"
    assert complaint.blacklist_entry == entry and complaint.respondent == court
    assert complaint.urgent and complaint.urgency_reason == "travel"
    assert complaint.remedies_sought == ["delete", "lift_sanction"]
    assert complaint.channel == "web" and complaint.filed_by == citizen_a.user
    attachment = Attachment.objects.get(complaint=complaint)
    assert attachment.original_name == "judgment paid.pdf" and attachment.content_type == "application/pdf"

    case_page = client_a.get(response["Location"])
    assert complaint.reference in case_page.content.decode()
    assert "Your complaint has been filed" in case_page.content.decode()
    assert "filing" not in client_a.session  # wizard state is cleared
    # the staged copy is gone; only the stored evidence remains
    assert client_a.get(f"/cases/{complaint.reference}/files/{attachment.pk}/").status_code == 200


def test_filing_in_chinese_records_the_language(client_a, citizen_a, court):
    client_a.post("/i18n/setlang/", {"language": "zh-hans", "next": "/file/"})
    entry = citizen_a.blacklist_entries.get()
    _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    _details(client_a)
    page = client_a.get("/file/review/")
    assert "提交" in page.content.decode()
    client_a.post("/file/review/")
    assert Complaint.objects.get().language == "zh-hans"


def test_describe_another_record(client_a, citizen_a):
    other_agency = AgencyFactory(name_en="City scheme")
    assert _step1(client_a, citizen_a, other_agency, "other", "").status_code == 400
    assert _step1(client_a, citizen_a, other_agency, "other", "Jaywalking points, 2023").status_code == 302
    _details(client_a, urgent="", urgency_reason="")
    client_a.post("/file/review/")
    complaint = Complaint.objects.get()
    assert complaint.other_record_description == "Jaywalking points, 2023" and complaint.blacklist_entry is None
    assert not complaint.urgent


def test_step1_rejects_records_of_other_agencies_or_people(client_a, citizen_a, citizen_b, court, platform):
    score = citizen_a.score_records.get()
    response = _step1(client_a, citizen_a, court, f"s:{score.pk}")
    assert response.status_code == 400
    assert "held by another agency" in response.content.decode()
    b_entry = citizen_b.blacklist_entries.get()
    response = _step1(client_a, citizen_a, court, f"b:{b_entry.pk}")
    assert response.status_code == 400
    assert "Choose one of the records listed." in response.content.decode()
    # nor can A file for B
    response = _step1(client_a, citizen_b, court, f"b:{b_entry.pk}")
    assert response.status_code == 400
    assert "filing" not in client_a.session or "respondent" not in client_a.session["filing"]
    assert _step1(client_a, citizen_a, court, "").status_code == 400


def test_htmx_record_list_follows_the_agency(client_a, citizen_a, citizen_b, court, platform):
    entry = citizen_a.blacklist_entries.get()
    score = citizen_a.score_records.get()
    body = client_a.get("/file/records/", {"citizen": citizen_a.pk, "respondent": platform.pk}).content.decode()
    assert f"s:{score.pk}" in body and f"b:{entry.pk}" not in body
    body = client_a.get("/file/records/", {"citizen": citizen_a.pk, "respondent": court.pk}).content.decode()
    assert f"b:{entry.pk}" in body and f"s:{score.pk}" not in body
    # another person's records are never listed
    b_entry = citizen_b.blacklist_entries.get()
    body = client_a.get("/file/records/", {"citizen": citizen_b.pk, "respondent": court.pk}).content.decode()
    assert f"b:{b_entry.pk}" not in body


def test_evidence_errors_are_clear_and_keep_the_screen(client_a, citizen_a, court, monkeypatch):
    entry = citizen_a.blacklist_entries.get()
    _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    response = _details(client_a, evidence=SimpleUploadedFile("notes.txt", b"just text", content_type="text/plain"))
    assert response.status_code == 400
    assert "Upload a PDF or an image (JPEG, PNG, WebP, HEIC)." in response.content.decode()

    monkeypatch.setattr("kernel.uploads.MAX_BYTES", 100)
    response = _details(client_a, evidence=SimpleUploadedFile("big.pdf", PDF + b"0" * 200))
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()
    assert client_a.session["filing"]["files"] == []


def test_evidence_can_be_added_several_times_and_removed(client_a, citizen_a, court):
    entry = citizen_a.blacklist_entries.get()
    _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    r = _details(client_a, evidence=SimpleUploadedFile("a.pdf", PDF), add_more="1")
    assert r["Location"] == "/file/details/"
    _details(client_a, evidence=SimpleUploadedFile("b.png", PNG), add_more="1")
    files = client_a.session["filing"]["files"]
    assert [f["name"] for f in files] == ["a.pdf", "b.png"]
    client_a.post("/file/details/", {"remove_file": files[0]["path"]})
    assert [f["name"] for f in client_a.session["filing"]["files"]] == ["b.png"]
    client_a.post("/file/review/")
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["b.png"]


def test_details_form_errors(client_a, citizen_a, court):
    entry = citizen_a.blacklist_entries.get()
    _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    response = _details(client_a, statement="", remedies_sought=[], urgency_reason="")
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and "Say why it is urgent." in body


def test_screens_in_order(client_a):
    assert client_a.get("/file/details/")["Location"] == "/file/"
    assert client_a.get("/file/review/")["Location"] == "/file/"


def test_anonymous_is_sent_to_sign_in():
    response = Client().get("/file/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_parent_files_for_a_minor_once_an_officer_verified_the_proof(client_a, citizen_a, court):
    client_a.post(
        "/people/add/",
        {
            "full_name": "Li Xiaoming",
            "national_id": "110101201001011111",
            "date_of_birth": "2010-01-01",
            "kind": "parent",
            "proof": SimpleUploadedFile("birth.pdf", PDF, content_type="application/pdf"),
        },
    )
    child = Citizen.objects.get(full_name="Li Xiaoming")
    assert child.representative_id is None  # nothing before an officer checked the proof
    request = RepresentationRequest.objects.get(citizen=child)
    representation_verify(request_id=request.pk, actor=Actor.for_user(OfficerFactory()), now=timezone.now())
    entry = BlacklistEntryFactory(citizen=child, agency=court, derived_from_relative=True)
    assert _step1(client_a, child, court, f"b:{entry.pk}").status_code == 302
    _details(client_a, category="derived_from_relative")
    client_a.post("/file/review/")
    complaint = Complaint.objects.get()
    assert complaint.citizen == child and complaint.filed_by == citizen_a.user
    assert client_a.get(f"/cases/{complaint.reference}/").status_code == 200
    assert CaseEvent.objects.filter(complaint=complaint, kind="submitted").exists()


def test_citizen_without_people_is_asked_to_add_one():
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    assert client.get("/file/")["Location"] == "/people/add/"


def test_officer_assisted_filing_finds_or_creates_the_citizen(officer_client, officer, citizen_a, court):
    response = officer_client.post(
        "/officer/file/", {"channel": "phone", "national_id": "110101198001011234", "full_name": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/file/"
    page = officer_client.get("/file/")
    assert "Li Wei" in page.content.decode() and "110101198001011234" not in page.content.decode()
    entry = citizen_a.blacklist_entries.get()
    _step1(officer_client, citizen_a, court, f"b:{entry.pk}")
    _details(officer_client)
    response = officer_client.post("/file/review/")
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/officer/cases/{complaint.reference}/"
    assert complaint.channel == "phone" and complaint.filed_by == officer and complaint.citizen == citizen_a

    # a new person, walk-in
    response = officer_client.post(
        "/officer/file/", {"channel": "walk_in", "national_id": "440101199001017777", "full_name": "Chen Jie"}
    )
    assert response.status_code == 302
    assert Citizen.objects.get(full_name="Chen Jie").user is None
    # the officer can only file for that person now
    response = _step1(officer_client, citizen_a, court, f"b:{entry.pk}")
    assert response.status_code == 400


def test_officer_assisted_filing_needs_a_name_for_a_new_person(officer_client):
    response = officer_client.post("/officer/file/", {"channel": "phone", "national_id": "440101199001017777"})
    assert response.status_code == 400
    assert "full name" in response.content.decode()
    assert "440101199001017777" not in response.content.decode()  # never echoed back
    assert not CitizenFactory._meta.model.objects.exists()


def test_officer_without_assisted_session_is_sent_to_assisted_start(officer_client):
    assert officer_client.get("/file/")["Location"] == "/officer/file/"


def test_abandoned_staged_evidence_is_purged(client_a, citizen_a, court, settings):
    import os
    import time
    from pathlib import Path

    from django.utils import timezone

    from portal.staging import staged_files_purge

    entry = citizen_a.blacklist_entries.get()
    _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    _details(client_a, evidence=SimpleUploadedFile("old.pdf", PDF), add_more="1")
    staged = Path(settings.MEDIA_ROOT) / client_a.session["filing"]["files"][0]["path"]
    assert staged.exists()
    assert staged_files_purge(now=timezone.now()) == 0  # fresh files stay
    two_days_ago = time.time() - 2 * 86400
    os.utime(staged, (two_days_ago, two_days_ago))
    # the next upload (by anyone) purges it
    _details(client_a, evidence=SimpleUploadedFile("new.pdf", PDF), add_more="1")
    assert not staged.exists()
    assert staged_files_purge(now=timezone.now()) == 0


def test_evidence_survives_a_failed_validation_of_the_screen(client_a, citizen_a, court):
    entry = citizen_a.blacklist_entries.get()
    _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    response = _details(client_a, statement="", evidence=SimpleUploadedFile("receipt.pdf", PDF))
    assert response.status_code == 400
    assert [f["name"] for f in client_a.session["filing"]["files"]] == ["receipt.pdf"]
    assert "receipt.pdf" in response.content.decode()  # shown as kept, with a remove button
    _details(client_a)
    client_a.post("/file/review/")
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["receipt.pdf"]


def test_adding_a_file_does_not_demand_the_rest_of_the_screen(client_a, citizen_a, court):
    entry = citizen_a.blacklist_entries.get()
    _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    response = client_a.post(
        "/file/details/",
        {"statement": "Half typed", "evidence": SimpleUploadedFile("a.pdf", PDF), "add_more": "1"},
    )
    assert response.status_code == 302 and response["Location"] == "/file/details/"
    assert [f["name"] for f in client_a.session["filing"]["files"]] == ["a.pdf"]
    body = client_a.get("/file/details/").content.decode()
    assert "Half typed" in body and "a.pdf" in body
    assert client_a.get("/file/review/")["Location"] == "/file/details/"  # the screen is not finished


def test_finished_records_show_their_status_and_are_not_offered(client_a, citizen_a, court):
    entry = citizen_a.blacklist_entries.get()
    entry.status = "deleted"
    entry.save(update_fields=["status"])
    body = client_a.get("/file/records/", {"citizen": citizen_a.pk, "respondent": court.pk}).content.decode()
    assert "Deleted" in body and f'value="b:{entry.pk}"' not in body
    response = _step1(client_a, citizen_a, court, f"b:{entry.pk}")
    assert response.status_code == 400 and "no longer stands against you" in response.content.decode()
    entry.status = "disputed"
    entry.save(update_fields=["status"])
    body = client_a.get("/file/records/", {"citizen": citizen_a.pk, "respondent": court.pk}).content.decode()
    assert "Marked as disputed" in body and f'value="b:{entry.pk}"' in body
