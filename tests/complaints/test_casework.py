"""The cap on evidence files per case (settings.MAX_ATTACHMENTS_PER_CASE), enforced in the one
service that stores them (complaints.services.attachment_add), answered as a 409 that says what
to do, on the citizen's page and in the agency API alike."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from complaints.models import Attachment
from complaints.services import attachment_add
from kernel.actors import Actor
from kernel.errors import Conflict
from tests.agency_api.conftest import make_caller
from tests.factories import AgencyFactory, make_complaint

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def small_cap(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MAX_ATTACHMENTS_PER_CASE = 3
    return 3


def _fill(complaint, n: int) -> None:  # type: ignore[no-untyped-def]
    actor = Actor.for_user(complaint.citizen.user)
    for i in range(n):
        attachment_add(
            complaint_id=complaint.pk, actor=actor, fileobj=io.BytesIO(PDF), filename=f"{i}.pdf", now=timezone.now()
        )


def test_default_cap_is_documented_number(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.MAX_ATTACHMENTS_PER_CASE == 50


@pytest.mark.django_db
def test_the_service_refuses_the_file_over_the_cap(small_cap) -> None:  # type: ignore[no-untyped-def]
    complaint = make_complaint(status="referred")
    _fill(complaint, small_cap)
    with pytest.raises(Conflict) as refused:
        _fill(complaint, 1)
    assert refused.value.field == "file" and refused.value.code == "too_many_files"
    assert "already has 3 files" in refused.value.message
    assert Attachment.objects.filter(complaint=complaint).count() == small_cap


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"), [("en", "This case already has 3 files"), ("zh-hans", "此案件已有 3 个文件")]
)
def test_the_citizens_page_says_so_in_their_language(small_cap, language, text) -> None:  # type: ignore[no-untyped-def]
    complaint = make_complaint(status="referred")
    _fill(complaint, small_cap)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(complaint.citizen.user)
    response = client.post(
        f"/cases/{complaint.reference}/",
        {"action": "evidence", "evidence-file": SimpleUploadedFile("more.pdf", PDF)},
    )
    assert response.status_code == 409
    assert text in response.content.decode()
    assert Attachment.objects.filter(complaint=complaint).count() == small_cap


@pytest.mark.django_db
def test_the_agency_api_answers_409_problem(small_cap) -> None:  # type: ignore[no-untyped-def]
    agency = AgencyFactory()
    complaint = make_complaint(status="referred", entry_kwargs={"agency": agency}, now=timezone.now())
    _fill(complaint, small_cap)
    caller = make_caller(agency)
    response = caller.api.post(
        f"/api/v1/agency/referrals/{complaint.reference}/attachments",
        {"file": SimpleUploadedFile("more.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["field"] == "file" and body["errors"][0]["code"] == "too_many_files"
    assert "already has 3 files" in body["detail"]
    assert Attachment.objects.filter(complaint=complaint).count() == small_cap
