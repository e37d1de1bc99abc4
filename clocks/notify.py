"""Who is told about a clock, and what they are told: the reminder and escalation messages of each
level (their audiences are `clocks.policy.ESCALATION_AUDIENCE`), and the citizen's email when a
deadline is extended. Messages are outbox rows built by `outbox.services`; the sweep inserts the
reminder and escalation rows in bulk, the extension email is queued on its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import Role, User
from complaints.models import Complaint
from outbox.models import OutboxMessage
from outbox.services import outbox_email, outbox_email_row, outbox_webhook_row

from .models import Clock, OwedBy
from .policy import ESCALATION_AUDIENCE
from .timeline import label, local_time

# What the timeline says levels 1 and 2 did (the words for ESCALATION_AUDIENCE[1] and [2]; level 3
# is what the obligation's policy does, worded by the sweep).
LEVEL_TEXT = {
    1: "notice to the party that owes it and the assigned officer",
    2: "notice to the agency's escalation contact and the senior officers",
}


def senior_officer_emails() -> list[str]:
    """The addresses of the active senior officers (told at escalation levels 2 and 3)."""
    return list(
        User.objects.filter(role=Role.SENIOR_OFFICER, is_active=True).order_by("id").values_list("email", flat=True)
    )


def citizen_address(complaint: Complaint) -> str:
    citizen = complaint.citizen
    return citizen.email or (citizen.user.email if citizen.user else "")


def webhook_data(clock: Clock, level: int) -> dict[str, Any]:
    return {
        "clock_id": clock.pk,
        "complaint": clock.complaint.reference,
        "obligation": clock.obligation,
        "subject_key": clock.subject_key,
        "due_at": clock.due_at.isoformat(),
        "rule": f"{clock.rule.code} v{clock.rule_version}",
        "level": level,
    }


def audience_messages(
    clock: Clock,
    audience: tuple[str, ...],
    *,
    level: int,
    key: str,
    subject: str,
    body: str,
    topic: str,
    webhook_event: str,
    now: datetime,
    seniors: tuple[str, ...] | list[str] = (),
) -> tuple[list[OutboxMessage], str]:
    """The emails and webhooks for `audience` (names from `clocks.policy`), and who the owing party
    was (for the timeline). Each recipient gets one row with its own dedupe key; a recipient
    without an address gets none."""
    complaint = clock.complaint
    agency = clock.agency
    officer = complaint.assigned_officer
    rows: list[OutboxMessage] = []
    sent: set[str] = set()
    owing = ""

    def email(to: str, suffix: str) -> None:
        if f"{key}:{suffix}" not in sent:
            sent.add(f"{key}:{suffix}")
            row = outbox_email_row(
                to=to,
                subject=subject,
                body=body,
                topic=topic,
                dedupe_key=f"{key}:{suffix}",
                now=now,
                complaint_id=complaint.pk,
            )
            if row is not None:
                rows.append(row)

    def webhook() -> None:
        if agency is not None and f"{key}:webhook" not in sent:
            sent.add(f"{key}:webhook")
            rows.append(
                outbox_webhook_row(
                    agency_id=agency.pk,
                    event_type=webhook_event,
                    data=webhook_data(clock, level),
                    dedupe_key=f"{key}:webhook",
                    now=now,
                    complaint_id=complaint.pk,
                )
            )

    for who in audience:
        if who == "owing_party":
            if clock.owed_by == OwedBy.AGENCY and agency is not None:
                owing = agency.name_en
                webhook()
                email(agency.contact_email, "agency")
            elif clock.owed_by == OwedBy.CITIZEN:
                owing = "the citizen"
                email(citizen_address(complaint), "citizen")
            else:
                owing = "the assigned officer"
                email(officer.email if officer else "", "officer")
        elif who == "assigned_officer":
            email(officer.email if officer else "", "officer")
        elif who == "agency_escalation_contact" and agency is not None:
            webhook()
            email(agency.escalation_contact_email or agency.contact_email, "agency-escalation")
        elif who == "agency_webhook":
            webhook()
        elif who == "senior_officers":
            for address in seniors:
                email(address, f"senior:{address}")
    return rows, owing


def reminder_messages(clock: Clock, level: int, *, now: datetime) -> tuple[list[OutboxMessage], str]:
    """Reminder `level` goes to the party that owes the clock; returns the rows and who that is."""
    complaint = clock.complaint
    due = local_time(clock.due_at, clock.jurisdiction)
    what = label(clock.obligation)
    return audience_messages(
        clock,
        ("owing_party",),
        level=level,
        key=f"clock:{clock.pk}:reminder:{level}",
        subject=f"Reminder: {what} on case {complaint.reference} is due by {due}",
        body=f"{what} on case {complaint.reference} is due by {due}.\n\n{clock.explanation}",
        topic="email.clock.reminder",
        webhook_event="clock.reminder",
        now=now,
    )


def escalation_messages(clock: Clock, level: int, *, seniors: list[str], now: datetime) -> list[OutboxMessage]:
    """Escalation `level` of a missed clock goes to `ESCALATION_AUDIENCE[level]`."""
    complaint = clock.complaint
    due = local_time(clock.due_at, clock.jurisdiction)
    what = label(clock.obligation)
    rows, _owing = audience_messages(
        clock,
        ESCALATION_AUDIENCE[level],
        level=level,
        key=f"clock:{clock.pk}:escalation:{level}",
        subject=f"Missed deadline (level {level}): {what} on case {complaint.reference}",
        body=f"{what} on case {complaint.reference} was due by {due} and has not been done.\n\n{clock.explanation}",
        topic="email.clock.missed" if level == 1 else "email.clock.escalated",
        webhook_event="clock.missed" if level == 1 else "referral.escalated",
        now=now,
        seniors=seniors,
    )
    return rows


def notify_extension(*, clock: Clock, note: str, now: datetime) -> None:
    """Tell the citizen that a deadline on their case was extended (inside the caller's transaction)."""
    complaint = Complaint.objects.select_related("citizen__user").get(pk=clock.complaint_id)
    outbox_email(
        to=citizen_address(complaint),
        subject=f"Your case {complaint.reference}: a deadline was extended",
        body=f"{label(clock.obligation)}: the deadline was extended.{note}",
        topic="email.clock.extended",
        dedupe_key=f"clock:{clock.pk}:extended",
        now=now,
        complaint_id=complaint.pk,
    )
