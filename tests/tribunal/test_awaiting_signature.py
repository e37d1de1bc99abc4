"""Seniors are told when a decision awaits their signature, and find it in their queue."""

from __future__ import annotations

import pytest
from django.test import Client

from kernel.actors import Actor
from outbox.models import OutboxMessage
from tests.factories import OfficerFactory, SeniorOfficerFactory
from tests.tribunal.test_services import DELETE, NOW, SUMMARY, investigating
from tribunal import services as ts

pytestmark = pytest.mark.django_db


def _draft(complaint, officer, findings: str = "The entry was derived from the parent's record."):  # type: ignore[no-untyped-def]
    return ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="upheld",
        findings=findings,
        reasons="Only a debtor's own conduct may be recorded.",
        remedies=DELETE,
        public_summary=SUMMARY,
        now=NOW,
    )


def test_a_new_draft_is_mailed_to_every_other_senior_once_in_their_language(graph) -> None:  # type: ignore[no-untyped-def]
    complaint = investigating(graph)
    officer = OfficerFactory()
    senior = SeniorOfficerFactory(preferred_language="zh-hans")
    other = SeniorOfficerFactory()
    _draft(complaint, officer)
    _draft(complaint, officer, findings="Updated findings.")  # an update does not mail again
    mails = OutboxMessage.objects.filter(topic="email.determination.awaits_signature")
    recipients = [m.recipient for m in mails]
    assert senior.email in recipients and other.email in recipients and officer.email not in recipients
    assert len(recipients) == len(set(recipients))
    zh = mails.get(recipient=senior.email)
    assert complaint.reference in zh.payload["subject"] and "签署" in zh.payload["subject"]
    assert f"/officer/cases/{complaint.reference}/investigation/" in zh.payload["body"]


def test_the_queue_lists_drafts_with_a_link_to_sign(graph) -> None:  # type: ignore[no-untyped-def]
    complaint = investigating(graph)
    _draft(complaint, OfficerFactory())
    client = Client()
    client.force_login(SeniorOfficerFactory())
    page = client.get("/officer/signatures/").content.decode()
    assert f"/officer/cases/{complaint.reference}/investigation/" in page
