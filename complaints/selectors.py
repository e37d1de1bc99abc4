"""Reads of complaints and their timelines, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from citizens.models import Citizen
from kernel.visibility import VISIBLE_TO_AGENCY, VISIBLE_TO_CITIZEN

from .models import CaseEvent, Complaint
from .parties import citizens_of_user_q
from .transitions import OPEN_STATUSES


def complaints_visible_to_user(user: User) -> QuerySet[Complaint]:
    """Officers see every case; anyone else only cases of citizens they are or represent (by the
    index on the citizen: `citizen_id IN (the user's citizens)`, no OR across a join)."""
    qs = Complaint.objects.select_related("respondent", "citizen")
    if user.is_officer:
        return qs
    return qs.filter(citizen_id__in=Citizen.objects.filter(citizens_of_user_q(user)).values("pk"))


def complaint_get_for_user(*, user: User, reference: str) -> Complaint | None:
    return complaints_visible_to_user(user).filter(reference=reference).first()


def case_events_for(*, complaint: Complaint, audience: str) -> QuerySet[CaseEvent]:
    """`audience` is 'officer', 'citizen' or 'agency'."""
    qs = complaint.events.select_related("actor_user", "actor_agency").order_by("created_at", "id")
    if audience == "officer":
        return qs
    visible = VISIBLE_TO_CITIZEN if audience == "citizen" else VISIBLE_TO_AGENCY
    return qs.filter(visibility__in=visible)


def open_complaints() -> QuerySet[Complaint]:
    return Complaint.objects.filter(status__in=[s.value for s in OPEN_STATUSES])


def referred_complaints() -> QuerySet[Complaint]:
    """Cases the ombudsman has referred at least once (unscoped: the agency interfaces filter by
    respondent)."""
    return Complaint.objects.filter(referred_at__isnull=False)
