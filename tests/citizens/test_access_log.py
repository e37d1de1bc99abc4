"""The access log: every staff and agency read of a case, a file or a person's details is
recorded (citizens.services.access_log_record) and the citizen reads it as "Who viewed my file"."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citizens.models import AccessLogEntry
from citizens.selectors import access_log_for_case
from complaints.services import attachment_add
from kernel.actors import Actor
from tests.agency_api.conftest import make_caller
from tests.agency_portal.conftest import make_member, signed_in
from tests.factories import OfficerFactory, SeniorOfficerFactory, make_complaint

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_who_viewed_my_file_shows_every_staff_and_agency_read_and_nothing_else(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    now = timezone.now()
    complaint = make_complaint(status="referred", now=now)
    citizen = Client()
    citizen.force_login(complaint.citizen.user)
    attachment = attachment_add(
        complaint_id=complaint.pk,
        actor=Actor.for_user(complaint.citizen.user),
        fileobj=io.BytesIO(PDF),
        filename="proof.pdf",
        now=now,
    )
    ref = complaint.reference
    # The citizen's own reads are not staff reads.
    citizen.get(f"/cases/{ref}/")
    citizen.get(f"/cases/{ref}/files/{attachment.pk}/")
    assert not AccessLogEntry.objects.exists()

    officer = Client()
    officer.force_login(OfficerFactory(full_name="Chen Jing"))
    assert officer.get(f"/officer/cases/{ref}/").status_code == 200
    assert officer.get(f"/officer/cases/{ref}/files/{attachment.pk}/").status_code == 200
    caller = make_caller(complaint.respondent)
    assert caller.api.get(f"/api/v1/agency/referrals/{ref}/").status_code == 200
    assert caller.api.get("/api/v1/agency/referrals/").status_code == 200
    member = signed_in(make_member(complaint.respondent))
    assert member.get(f"/agency/referrals/{ref}/").status_code == 200

    kinds = sorted((e.reader_kind, e.kind, e.why) for e in AccessLogEntry.objects.all())
    assert kinds == [
        ("agency", "case", "agency_api:referral-detail"),
        ("agency", "case", "agency_portal:referral"),
        ("agency", "listed", "agency_api:referral-list"),
        ("officer", "case", "officer-case"),
        ("officer", "file", "officer-attachment"),
    ], kinds
    page = citizen.get(f"/cases/{ref}/").content.decode()
    assert "Who viewed my file" in page
    assert "A case officer of the ombudsman" in page and "Chen Jing" not in page  # roles, not names
    assert complaint.respondent.display_name in page
    assert len(access_log_for_case(complaint_id=complaint.pk, citizen_id=complaint.citizen_id)) == 5
    # Other citizens' cases do not show these reads.
    other = make_complaint()
    assert access_log_for_case(complaint_id=other.pk, citizen_id=other.citizen_id) == []


def _queue_queries(officer: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert officer.get("/officer/?queue=all").status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_log_every_row_in_one_insert() -> None:
    officer = Client()
    officer.force_login(OfficerFactory())
    for _ in range(2):
        make_complaint()
    officer.get("/officer/")  # warm up the session
    few = _queue_queries(officer)
    logged_few = AccessLogEntry.objects.filter(kind="listed").count()
    for _ in range(6):
        make_complaint()
    many = _queue_queries(officer)
    assert many == few
    assert AccessLogEntry.objects.filter(kind="listed").count() - logged_few >= 8


def test_senior_officers_export_the_access_log() -> None:
    complaint = make_complaint()
    senior = Client()
    senior.force_login(SeniorOfficerFactory())
    senior.get(f"/officer/cases/{complaint.reference}/")
    export = senior.get(f"/officer/cases/{complaint.reference}/access-log.csv")
    assert export.status_code == 200 and export.content.startswith("\ufeff".encode())
    assert b"officer-case" in export.content
    officer = Client()
    officer.force_login(OfficerFactory())
    assert officer.get(f"/officer/cases/{complaint.reference}/access-log.csv").status_code == 404


def test_a_citizen_opened_in_the_admin_is_logged() -> None:
    person = make_complaint().citizen
    senior = Client()
    senior.force_login(SeniorOfficerFactory(is_superuser=True))
    assert senior.get(f"/admin/citizens/citizen/{person.pk}/change/").status_code == 200
    entry = AccessLogEntry.objects.get(citizen=person)
    assert entry.kind == "personal_data" and entry.why.startswith("admin:")
