"""Messages and evidence reach the other sides, each in their own language with a link
(complaints.notify); the phone-filing officer is not mailed as if they were the citizen."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from complaints.models import Channel as FilingChannel
from complaints.services import attachment_add, complaint_assign, complaint_post_message
from kernel.actors import Actor
from kernel.visibility import Visibility
from outbox.models import Channel, OutboxMessage
from tests.agency_portal.conftest import make_member
from tests.factories import OfficerFactory, make_complaint

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _mails(to: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(channel=Channel.EMAIL, recipient=to).order_by("created_at"))


def test_an_officers_question_reaches_the_citizen_in_chinese_with_a_link() -> None:
    complaint = make_complaint(status="referred")
    user = complaint.citizen.user
    type(complaint.citizen).objects.filter(pk=complaint.citizen_id).update(preferred_language="zh-hans")
    officer = OfficerFactory()
    OutboxMessage.objects.all().delete()
    complaint_post_message(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        text="请上传还款凭证。",
        now=timezone.now(),
        visibility=Visibility.CITIZEN,
    )
    (mail,) = _mails(user.email)
    assert "请上传还款凭证。" in mail.payload["body"]
    assert f"/cases/{complaint.reference}/" in mail.payload["body"]
    assert "案件" in mail.payload["subject"]  # the citizen's language, not the officer's


def test_a_citizens_reply_reaches_the_assigned_officer_and_the_agency_users() -> None:
    complaint = make_complaint(status="referred")
    officer = OfficerFactory()
    complaint_assign(complaint_id=complaint.pk, officer=officer, actor=Actor.for_user(officer), now=timezone.now())
    member = make_member(complaint.respondent)
    OutboxMessage.objects.all().delete()
    complaint_post_message(
        complaint_id=complaint.pk,
        actor=Actor.for_user(complaint.citizen.user),
        text="I paid in March.",
        now=timezone.now(),
    )
    (to_officer,) = _mails(officer.email)
    assert f"/officer/cases/{complaint.reference}/" in to_officer.payload["body"]
    (to_agency,) = _mails(member.user.email)
    assert f"/agency/referrals/{complaint.reference}/" in to_agency.payload["body"]
    assert _mails(complaint.citizen.user.email) == []  # not told of their own message


def test_agency_evidence_reaches_the_citizen_and_the_officer_but_not_the_agency() -> None:
    complaint = make_complaint(status="referred")
    officer = OfficerFactory()
    complaint_assign(complaint_id=complaint.pk, officer=officer, actor=Actor.for_user(officer), now=timezone.now())
    member = make_member(complaint.respondent)
    OutboxMessage.objects.all().delete()
    attachment_add(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(complaint.respondent),
        fileobj=io.BytesIO(PDF),
        filename="record.pdf",
        now=timezone.now(),
    )
    assert len(_mails(complaint.citizen.user.email)) == 1
    assert len(_mails(officer.email)) == 1
    assert _mails(member.user.email) == []


def test_internal_notes_notify_nobody() -> None:
    complaint = make_complaint(status="referred")
    officer = OfficerFactory()
    OutboxMessage.objects.all().delete()
    complaint_post_message(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        text="note",
        now=timezone.now(),
        visibility=Visibility.INTERNAL,
    )
    assert not OutboxMessage.objects.filter(channel=Channel.EMAIL).exists()


def test_the_officer_who_filed_by_phone_does_not_get_the_citizens_mail() -> None:
    officer = OfficerFactory()
    complaint = make_complaint()
    type(complaint).objects.filter(pk=complaint.pk).update(filed_by=officer, channel=FilingChannel.PHONE)
    complaint.refresh_from_db()
    OutboxMessage.objects.all().delete()
    complaint_post_message(
        complaint_id=complaint.pk, actor=Actor.for_user(OfficerFactory()), text="Hello", now=timezone.now()
    )
    assert _mails(officer.email) == []
    assert len(_mails(complaint.citizen.user.email)) == 1
