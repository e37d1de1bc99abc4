"""The queues mark cases where the citizen or the agency did something since the officer last
opened the case (officer.selectors.unread_activity, from the access log)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from complaints.services import complaint_post_message
from kernel.actors import Actor
from tests.factories import OfficerFactory, make_complaint

pytestmark = pytest.mark.django_db


def _marked(client: Client, reference: str) -> bool:
    page = client.get("/officer/?queue=all").content.decode()
    row = next(line for line in page.split("<tr>") if reference in line)
    return "New activity" in row


def test_a_citizens_message_marks_the_case_until_the_officer_opens_it() -> None:
    complaint = make_complaint(status="referred")
    officer = Client()
    officer.force_login(OfficerFactory())
    assert not _marked(officer, complaint.reference)
    complaint_post_message(
        complaint_id=complaint.pk, actor=Actor.for_user(complaint.citizen.user), text="Any news?", now=timezone.now()
    )
    assert _marked(officer, complaint.reference)
    officer.get(f"/officer/cases/{complaint.reference}/")
    assert not _marked(officer, complaint.reference)
    other = Client()  # another officer has not read it yet
    other.force_login(OfficerFactory())
    assert _marked(other, complaint.reference)
