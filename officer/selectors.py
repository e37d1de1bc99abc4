"""Reads for the officer pages: officers, triage queues (by status, and by clock from
`clocks.selectors`), counts, search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Q, QuerySet

from accounts.models import Role, User
from clocks import selectors as clock_selectors
from complaints.models import Complaint
from complaints.transitions import OPEN_STATUSES, Status


def officers() -> QuerySet[User]:
    return User.objects.filter(role__in=[Role.OFFICER, Role.SENIOR_OFFICER], is_active=True).order_by("email")


# --- officer queues ---------------------------------------------------------------------------

OPEN = [s.value for s in OPEN_STATUSES]

# Queues defined by status alone; the clock-based queues (due today, overdue, escalated) come from
# `clocks.selectors`.
STATUS_QUEUES: dict[str, list[str]] = {
    "new": [Status.SUBMITTED.value],
    "screening": [Status.SCREENING.value],
    "awaiting_agency": [Status.REFERRED.value],
    "agency_responded": [Status.AGENCY_RESPONDED.value],
    "investigation": [Status.INVESTIGATION.value, Status.DETERMINATION.value, Status.COMPLIANCE.value],
    "open": OPEN,
    "all": [s.value for s in Status],
}


def _clock_queue_ids(queue: str, now: datetime) -> QuerySet[Any] | None:
    """Complaint ids in a clock-based queue (from `clocks.selectors`), or None for another name."""
    if queue == "due_today":
        clocks = clock_selectors.clocks_due_today(now=now)
    elif queue == "overdue":
        clocks = clock_selectors.clocks_overdue(now=now)
    elif queue == "escalated":
        clocks = clock_selectors.clocks_escalated()
    else:
        return None
    return clocks.order_by().values("complaint_id")


def queue_complaints(queue: str, *, now: datetime) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("respondent", "citizen", "assigned_officer")
    if queue in STATUS_QUEUES:
        return qs.filter(status__in=STATUS_QUEUES[queue])
    clock_qs = _clock_queue_ids(queue, now)
    if clock_qs is None:
        return qs.none()
    return qs.filter(pk__in=clock_qs)


def queue_counts(*, now: datetime, queues: list[str]) -> dict[str, int]:
    """One grouped query for the status queues, one per clock queue.

    The status counts are one `GROUP BY status` (an index-only scan of (status, ...)); the clock
    queues count distinct cases among the clocks in range (a range scan of the clocks' (status,
    due_at) index, which grows with what is due, not with the archive), never
    `COUNT(*) ... WHERE id IN (every clock)`."""
    by_status = {
        row["status"]: row["n"] for row in Complaint.objects.order_by().values("status").annotate(n=Count("pk"))
    }
    counts = {key: sum(by_status.get(s, 0) for s in statuses) for key, statuses in STATUS_QUEUES.items()}
    for key in queues:
        if key not in counts:
            clocks = _clock_queue_ids(key, now)
            counts[key] = 0 if clocks is None else clocks.distinct().count()
    return counts


def open_counts_by_agency() -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in Complaint.objects.filter(status__in=OPEN)
        .values("respondent_id", "respondent__name_en", "respondent__name_zh")
        .annotate(n=Count("pk"))
        .order_by("-n", "respondent__name_en")
    ]


def open_counts_by_officer() -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in Complaint.objects.filter(status__in=OPEN)
        .values("assigned_officer_id", "assigned_officer__email", "assigned_officer__full_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "assigned_officer__email")
    ]


def search_complaints(qs: QuerySet[Complaint], text: str) -> QuerySet[Complaint]:
    """Full-text search over the reference, statement, record description, citizen and respondent:
    PostgreSQL full-text search (English stemming, web-search syntax) in production, plus a substring
    match so Chinese text (which PostgreSQL does not segment into words) is found too; a
    case-insensitive substring match on SQLite."""
    text = text.strip()
    if not text:
        return qs
    ref_match = Q(reference__iexact=text)
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("reference", weight="A", config="english")
            + SearchVector("statement", weight="B", config="english")
            + SearchVector("other_record_description", weight="B", config="english")
            + SearchVector("citizen__full_name", weight="A", config="english")
            + SearchVector("respondent__name_en", weight="C", config="english")
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return qs.annotate(search=vector).filter(
            Q(search=query) | ref_match | Q(statement__icontains=text) | Q(respondent__name_zh__icontains=text)
        )
    return qs.filter(
        ref_match
        | Q(reference__icontains=text)
        | Q(statement__icontains=text)
        | Q(other_record_description__icontains=text)
        | Q(citizen__full_name__icontains=text)
        | Q(respondent__name_en__icontains=text)
    )
