"""What the lifecycle tells the citizen (and whoever represents them), through the outbox."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from outbox.services import outbox_email

from .models import STATUS_LABELS, CaseEvent, Complaint


def citizen_address(complaint: Complaint) -> str:
    citizen = complaint.citizen
    return citizen.email or (citizen.user.email if citizen.user else "")


def notify_citizen(complaint: Complaint, *, topic: str, subject: str, body: str, now: datetime, key: str) -> None:
    """Email the citizen; a representative who filed the case hears about it too."""
    to = citizen_address(complaint)
    if complaint.filed_by_id != complaint.citizen.user_id and complaint.filed_by.email != to:
        outbox_email(
            to=complaint.filed_by.email,
            subject=subject,
            body=body,
            topic=topic,
            now=now,
            dedupe_key=f"{key}:filer",
            complaint_id=complaint.pk,
        )
    outbox_email(to=to, subject=subject, body=body, topic=topic, now=now, dedupe_key=key, complaint_id=complaint.pk)


def status_email(complaint: Complaint, event: CaseEvent, now: datetime) -> None:
    label = STATUS_LABELS[complaint.status_enum]
    notify_citizen(
        complaint,
        topic=f"email.status.{complaint.status}",
        subject=_("Your case %(ref)s: %(status)s") % {"ref": complaint.reference, "status": label},
        body=_(
            "Your case %(ref)s is now: %(status)s.\n\n%(message)s\n\nSee the details and every deadline on your "
            "case page. This service is free of charge."
        )
        % {"ref": complaint.reference, "status": label, "message": event.message},
        now=now,
        key=f"event:{event.pk}:email",
    )
