"""Reads for the officer pages: officers, triage queues (by status, and by clock from
`clocks.selectors`), counts, search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import Role, User
from clocks import selectors as clock_selectors
from complaints.models import Complaint, ReferenceSequence
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
    """Counts that do not grow with the archive.

    The open statuses are one `GROUP BY status` over the open cases only (an index-only scan of the
    partial index `complaint_open_counts`); "all" is the number of references handed out (one row
    per year in `ReferenceSequence`, kept in the filing's transaction, and every case is filed
    through it); the clock queues count distinct cases among the clocks in range (a range scan of
    the clocks' (status, due_at) index, which grows with what is due, not with the archive)."""
    by_status = {
        row["status"]: row["n"]
        for row in Complaint.objects.filter(status__in=OPEN).order_by().values("status").annotate(n=Count("pk"))
    }
    counts = {
        key: sum(by_status.get(s, 0) for s in statuses) for key, statuses in STATUS_QUEUES.items() if key != "all"
    }
    counts["all"] = ReferenceSequence.objects.aggregate(n=Sum("last_value"))["n"] or 0
    for key in queues:
        if key not in counts:
            clocks = _clock_queue_ids(key, now)
            counts[key] = 0 if clocks is None else clocks.distinct().count()
    return counts


# --- keyset pagination ------------------------------------------------------------------------

PAGE_SIZE = 50
COUNT_CAP = 1000


@dataclass
class QueuePage:
    """One page of a queue in its order (urgent first, then oldest first), by keyset: `after` is
    the last row of the previous page, so page 10,000 costs what page 1 costs."""

    rows: list[Complaint]
    next_cursor: str | None
    first: bool
    count: int | None = None
    count_capped: bool = False


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _cursor(c: Complaint) -> str:
    micros = (c.submitted_at - EPOCH) // timedelta(microseconds=1)  # exact, no float rounding
    return f"{int(c.urgent)}-{micros}-{c.pk}"


def _parse_cursor(raw: str | None) -> tuple[bool, datetime, int] | None:
    """A cursor from the page's own link; anything else is the first page (never an error)."""
    parts = (raw or "").split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[0] not in ("0", "1"):
        return None
    try:
        at = EPOCH + timedelta(microseconds=int(parts[1]))
    except OverflowError:
        return None
    return parts[0] == "1", at, int(parts[2])


def _after(qs: QuerySet[Complaint], at: datetime, pk: int) -> QuerySet[Complaint]:
    # `submitted_at >= at` is the index condition; the OR only breaks ties within it.
    return qs.filter(submitted_at__gte=at).filter(Q(submitted_at__gt=at) | Q(pk__gt=pk))


def queue_page(qs: QuerySet[Complaint], *, after: str | None, size: int | None = None) -> QueuePage:
    """The page after the cursor `after` (or the first page). At most two queries: the urgent
    cases after the cursor, then (if the page is not full) the others, each a range scan of an
    index in (urgent, submitted_at, id) order."""
    size = size or PAGE_SIZE
    ordered = qs.order_by("submitted_at", "pk")
    cursor = _parse_cursor(after)
    rows: list[Complaint] = []
    if cursor is None or cursor[0]:
        urgent = ordered.filter(urgent=True)
        if cursor is not None:
            urgent = _after(urgent, cursor[1], cursor[2])
        rows = list(urgent[: size + 1])
    if len(rows) <= size:
        rest = ordered.filter(urgent=False)
        if cursor is not None and not cursor[0]:
            rest = _after(rest, cursor[1], cursor[2])
        rows += list(rest[: size + 1 - len(rows)])
    more = len(rows) > size
    rows = rows[:size]
    return QueuePage(rows=rows, next_cursor=_cursor(rows[-1]) if more and rows else None, first=cursor is None)


def capped_count(qs: QuerySet[Complaint], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many, counting no further than `cap` (a filtered queue's heading): (n, more than cap)."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


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
