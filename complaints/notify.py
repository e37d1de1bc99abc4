"""Who hears of what happens on a case, through the outbox: each email written in its
recipient's language with a link to the page where they act.

- the citizen (and a representative who filed for them; never the officer who filed by phone);
- the assigned officer (a message or evidence from the citizen or the agency);
- the agency's portal users (a message or evidence the agency may read), unless the agency
  takes events by webhook.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from agencies.models import AgencyMembership
from citizens.models import Citizen
from kernel.events import event_label
from outbox.services import outbox_email

from .models import STATUS_LABELS, CaseEvent, Complaint

Render = Callable[[str], tuple[str, str]]  # (link) -> (subject, body), in the active language

PAGES = {"citizen": "/cases/{ref}/", "officer": "/officer/cases/{ref}/", "agency": "/agency/referrals/{ref}/"}


def case_link(complaint: Complaint, audience: str) -> str:
    return settings.OMBUDSMAN_BASE_URL.rstrip("/") + PAGES[audience].format(ref=complaint.reference)


def citizen_address(complaint: Complaint) -> str:
    citizen = complaint.citizen
    return citizen.email or (citizen.user.email if citizen.user else "")


def _email(
    *,
    to: str,
    language: str,
    render: Render,
    link: str,
    topic: str,
    key: str,
    now: datetime,
    complaint: Complaint | None,
) -> None:
    if not to:
        return
    with translation.override(language if language in ("en", "zh-hans") else "en"):
        subject, body = render(link)
    complaint_id = complaint.pk if complaint is not None else None
    outbox_email(to=to, subject=subject, body=body, topic=topic, now=now, dedupe_key=key, complaint_id=complaint_id)


def notify_citizen(complaint: Complaint, *, topic: str, render: Render, now: datetime, key: str) -> None:
    """Email the citizen in their language; a representative who filed the case hears too (in
    theirs). An officer who filed for someone by phone is not the citizen: they get nothing."""
    citizen = complaint.citizen
    to = citizen_address(complaint)
    link = case_link(complaint, "citizen")
    filer: User | None = complaint.filed_by if complaint.filed_by_id != citizen.user_id else None
    if filer is not None and not filer.is_officer and filer.email != to:
        _email(
            to=filer.email,
            language=filer.preferred_language,
            render=render,
            link=link,
            topic=topic,
            key=f"{key}:filer",
            now=now,
            complaint=complaint,
        )
    _email(
        to=to,
        language=citizen.preferred_language,
        render=render,
        link=link,
        topic=topic,
        key=key,
        now=now,
        complaint=complaint,
    )


def notify_person(citizen: Citizen, *, topic: str, render: Render, now: datetime, key: str, page: str) -> None:
    """Email a person about their record rather than one case (their data, a deletion request), in
    their language, with a link to `page`; a registered representative hears too (in theirs)."""
    link = settings.OMBUDSMAN_BASE_URL.rstrip("/") + page
    to = citizen.email or (citizen.user.email if citizen.user else "")
    rep = citizen.representative
    if rep is not None and rep.email and rep.email != to:
        _email(
            to=rep.email,
            language=rep.preferred_language,
            render=render,
            link=link,
            topic=topic,
            key=f"{key}:rep",
            now=now,
            complaint=None,
        )
    _email(
        to=to,
        language=citizen.preferred_language,
        render=render,
        link=link,
        topic=topic,
        key=key,
        now=now,
        complaint=None,
    )


def notify_officer(
    complaint: Complaint, *, topic: str, render: Render, now: datetime, key: str, or_seniors: bool = False
) -> None:
    """Email the officer the case is assigned to. When nobody is: every senior officer if
    `or_seniors` (alerts that must not wait), else nobody (the queues show it)."""
    if complaint.assigned_officer_id is not None:
        officers = [complaint.assigned_officer] if complaint.assigned_officer else []
    elif or_seniors:
        officers = list(User.objects.filter(role=Role.SENIOR_OFFICER, is_active=True).order_by("pk"))
    else:
        officers = []
    for officer in officers:
        _email(
            to=officer.email,
            language=officer.preferred_language,
            render=render,
            link=case_link(complaint, "officer"),
            topic=topic,
            key=key if len(officers) == 1 else f"{key}:{officer.pk}",
            now=now,
            complaint=complaint,
        )


def notify_agency_users(complaint: Complaint, *, topic: str, render: Render, now: datetime, key: str) -> None:
    """Email the agency's portal users, unless the agency takes events by webhook."""
    agency = complaint.respondent
    if agency is None or type(agency).objects.filter(pk=agency.pk, webhook_endpoint__active=True).exists():
        return
    members = AgencyMembership.objects.filter(agency=agency).select_related("user").order_by("pk")
    for member in members:
        _email(
            to=member.user.email,
            language=member.user.preferred_language,
            render=render,
            link=case_link(complaint, "agency"),
            topic=topic,
            key=f"{key}:agency-user:{member.user_id}",
            now=now,
            complaint=complaint,
        )


def status_email(complaint: Complaint, event: CaseEvent, now: datetime) -> None:
    def render(link: str) -> tuple[str, str]:
        label = STATUS_LABELS[complaint.status_enum]
        subject = _("Your case %(ref)s: %(status)s") % {"ref": complaint.reference, "status": label}
        body = _(
            "Your case %(ref)s is now: %(status)s.\n\n%(message)s\n\nSee the details and every deadline on your "
            "case page: %(link)s\n\nThis service is free of charge."
        ) % {"ref": complaint.reference, "status": label, "message": event.message, "link": link}
        return subject, body

    notify_citizen(
        complaint, topic=f"email.status.{complaint.status}", render=render, now=now, key=f"event:{event.pk}:email"
    )


def activity_email(complaint: Complaint, event: CaseEvent, *, audience: str, now: datetime) -> None:
    """A new message or new evidence on the case, told to one side (`citizen`, `officer`, `agency`)."""

    def render(link: str) -> tuple[str, str]:
        what = event_label(event.kind)
        subject = _("Case %(ref)s: %(what)s") % {"ref": complaint.reference, "what": what}
        body = _("Case %(ref)s: %(what)s.\n\n%(text)s\n\nRead it and answer on the case page: %(link)s") % {
            "ref": complaint.reference,
            "what": what,
            "text": event.message,
            "link": link,
        }
        return subject, body

    send = {"citizen": notify_citizen, "officer": notify_officer, "agency": notify_agency_users}[audience]
    send(complaint, topic=f"email.{event.kind}.{audience}", render=render, now=now, key=f"event:{event.pk}:{audience}")
