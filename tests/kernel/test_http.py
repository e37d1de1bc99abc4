"""kernel.http: one mapping of domain errors to HTTP for pages and API, one download response used
by every file download (citizen, officer, agency API, information documents)."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.test import Client
from django.utils import timezone

from complaints.services import attachment_add, complaint_open_investigation
from complaints.transitions import Action, ActorNotAllowed, Status, TransitionError
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, NotFound, ServiceError
from kernel.http import ErrorAnswer, add_form_error, attachment_response, download_name, error_answer, run_service
from tests.agency_api.conftest import make_caller
from tests.factories import OfficerFactory, make_complaint
from tribunal import services as tribunal_services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ServiceError("Bad.", field="x"), 400),
        (NotAllowed("No."), 403),
        (NotFound("Gone."), 404),
        (Conflict("Taken.", field="record"), 409),
        (TransitionError("Cannot refer.", action=Action.REFER, status=Status.CLOSED), 409),
        (ActorNotAllowed("Citizens cannot refer.", action=Action.REFER, status=Status.SCREENING), 403),
    ],
)
def test_error_answer_status_comes_from_the_error_class(exc, status):
    answer = error_answer(exc)
    assert answer.status == status
    assert answer.message == exc.message
    assert answer.field == exc.field
    assert answer.code == exc.code


def test_detail_names_the_field():
    assert ErrorAnswer(400, "Required.", "reason", "invalid").detail == "reason: Required."
    assert ErrorAnswer(409, "Taken.", None, "conflict").detail == "Taken."


def test_run_service_returns_the_answer_instead_of_raising():
    def refuse() -> None:
        raise NotAllowed("Not yours.", field="case")

    assert run_service(lambda n: n + 1, n=1) == (2, None)
    result, err = run_service(refuse)
    assert result is None and err == ErrorAnswer(403, "Not yours.", "case", "not_allowed")
    with pytest.raises(ValueError):  # a bug is not a refusal: it still raises
        run_service(lambda: int("x"))


class _Form(forms.Form):
    reason = forms.CharField(required=False)


def test_add_form_error_puts_it_on_the_named_field_or_above_the_form():
    form = _Form({"reason": ""})
    assert form.is_valid()
    add_form_error(form, ErrorAnswer(400, "Give a reason.", "reason", "invalid"))
    add_form_error(form, ErrorAnswer(409, "Too late.", "status", "conflict"))
    assert form.errors["reason"] == ["Give a reason."]
    assert form.non_field_errors() == ["Too late."]


@pytest.mark.parametrize(
    ("stored", "mime", "expected"),
    [
        ("scan.png", "image/png", "scan.png"),
        ("photo.JPEG", "image/jpeg", "photo.jpg"),
        ("photo.jpg", "image/jpeg", "photo.jpg"),
        ("page.html", "application/pdf", "page.pdf"),
        ("page.pdf.html", "application/pdf", "page.pdf.pdf"),
        ("x.html", "image/png", "x.png"),
        ("noext", "application/pdf", "noext.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ('a"b;c.pdf', "application/pdf", "a_b_c.pdf"),
        ("", "image/png", "file.png"),
        (".html", "application/pdf", "html.pdf"),
        ("data.exe", "application/octet-stream", "data.bin"),
        ("x.html", "text/html", "x.bin"),
    ],
)
def test_download_name_is_clean_and_matches_the_sniffed_type(stored, mime, expected):
    assert download_name(stored, mime) == expected


def test_attachment_response_headers():
    response = attachment_response(io.BytesIO(PDF), stored_name="proof.pdf", content_type="application/pdf")
    assert response["Content-Disposition"] == 'attachment; filename="proof.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == PDF


def test_attachment_response_never_serves_an_unknown_type_as_itself():
    response = attachment_response(io.BytesIO(b"<script>"), stored_name="x.html", content_type="text/html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="x.bin"'


def test_attachment_response_non_ascii_name():
    response = attachment_response(io.BytesIO(PDF), stored_name="证明.pdf", content_type="application/pdf")
    assert "filename*=utf-8''%E8%AF%81%E6%98%8E.pdf" in response["Content-Disposition"]


# --- every download goes through it ---------------------------------------------------------


def _assert_download(response, name: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/pdf"


def _case_with_file(content: bytes, filename: str):  # type: ignore[no-untyped-def]
    """A referred case and a file its citizen added: (complaint, citizen user, attachment)."""
    now = timezone.now()
    complaint = make_complaint(status="referred", now=now)
    citizen = complaint.citizen.user
    attachment = attachment_add(
        complaint_id=complaint.pk,
        actor=Actor.for_user(citizen),
        fileobj=io.BytesIO(content),
        filename=filename,
        now=now,
    )
    return complaint, citizen, attachment


@pytest.mark.django_db
def test_every_file_download_uses_the_one_response(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    complaint, citizen, attachment = _case_with_file(PDF, "page.html")
    officer = OfficerFactory()
    as_citizen, as_officer = Client(), Client()
    as_citizen.force_login(citizen)
    as_officer.force_login(officer)
    ref = complaint.reference

    _assert_download(as_citizen.get(f"/cases/{ref}/files/{attachment.pk}/"), "page.pdf")
    _assert_download(as_officer.get(f"/officer/cases/{ref}/files/{attachment.pk}/"), "page.pdf")
    agency = make_caller(complaint.respondent)
    _assert_download(agency.api.get(f"/api/v1/agency/referrals/{ref}/attachments/{attachment.pk}"), "page.pdf")

    complaint_open_investigation(
        complaint_id=complaint.pk, actor=Actor.for_user(officer), reason="Disputed.", now=timezone.now()
    )
    request = tribunal_services.information_request_create(
        complaint_id=complaint.pk,
        agency=complaint.respondent,
        actor=Actor.for_user(officer),
        questions=["Where did the listing come from?"],
        now=timezone.now(),
    )
    tribunal_services.information_request_answer(
        request_id=request.pk,
        actor=Actor.for_agency(complaint.respondent),
        answer_text="Attached.",
        files=[tribunal_services.Upload(io.BytesIO(PDF), "record.pdf", len(PDF))],
        now=timezone.now(),
    )
    document = request.documents.get()
    _assert_download(as_officer.get(f"/officer/information-documents/{document.pk}/"), "record.pdf")


POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.mark.django_db
def test_a_pdf_html_polyglot_named_html_downloads_as_a_pdf(settings, tmp_path):
    """Issue 10: a PDF/HTML polyglot uploaded as `x.html` downloaded under its .html name."""
    settings.MEDIA_ROOT = str(tmp_path)
    complaint, citizen, attachment = _case_with_file(POLYGLOT, "x.html")
    assert attachment.content_type == "application/pdf"
    client = Client()
    client.force_login(citizen)
    response = client.get(f"/cases/{complaint.reference}/files/{attachment.pk}/")
    _assert_download(response, "x.pdf")
    assert ".html" not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == POLYGLOT
