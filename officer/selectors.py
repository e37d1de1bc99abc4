"""Reads for the officer pages: officers, triage queues (by status, and by clock from
`clocks.selectors`), counts, search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Count, Max, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import Role, User
from agencies.models import Agency
from citizens import national_id
from citizens.models import (
    AccessKind,
    AccessLogEntry,
    Citizen,
    IdentityMatch,
    RepresentationRequest,
    RepresentationStatus,
)
from clocks import selectors as clock_selectors
from complaints.models import CaseEvent, Complaint, ReferenceSequence
from complaints.transitions import OPEN_STATUSES, Status
from kernel.events import CaseEventKind
from tribunal.models import UNISSUED_STATUSES, Determination


def officers() -> QuerySet[User]:
    return User.objects.filter(role__in=[Role.OFFICER, Role.SENIOR_OFFICER], is_active=True).order_by("email")


# --- officer queues ---------------------------------------------------------------------------

OPEN = [s.value for s in OPEN_STATUSES]

# Queues defined by status alone; the clock-based queues (due today, overdue, escalated) come from
# `clocks.selectors`.
CLOCK_QUEUES = ("due_today", "overdue", "escalated")

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
    # The list shows none of the long texts: they stay on disk.
    qs = Complaint.objects.select_related("respondent", "citizen", "assigned_officer").defer(
        "statement", "search_text", "remedy_detail", "urgency_detail", "other_record_description"
    )
    if queue in STATUS_QUEUES:
        return qs.filter(status__in=STATUS_QUEUES[queue])
    clock_qs = _clock_queue_ids(queue, now)
    if clock_qs is None:
        return qs.none()
    # The ids first (a range scan of the clocks' (status, due_at) index): as a subquery the planner
    # may walk the whole archive in page order looking for them.
    return qs.filter(pk__in=list(clock_qs.values_list("complaint_id", flat=True).distinct()))


def queue_counts(*, now: datetime, queues: list[str]) -> dict[str, int]:
    """Counts that do not grow with the archive.

    The open statuses are one `GROUP BY status` over the open cases only (an index-only scan of the
    partial index `complaint_open_counts`); "all" is the number of references handed out (one row
    per year in `ReferenceSequence`, kept in the filing's transaction, and every case is filed
    through it); the clock queues count distinct cases among the clocks in range (a range scan of
    the clocks' (status, due_at) index, which grows with what is due, not with the archive)."""
    by_status = {
        row["status"]: row["n"]
        for row in Complaint.objects.filter(status__in=OPEN).order_by().values("status").annotate(n=Count("*"))
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
COUNT_CAP = 100  # a filtered list says "100+" beyond: counting further reads what nobody pages through


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


def queue_page(qs: QuerySet[Complaint], *, after: str | None, size: int | None = None, few: bool = False) -> QueuePage:
    """The page after the cursor `after` (or the first page). At most two queries: the urgent
    cases after the cursor, then (if the page is not full) the others, each a range scan of an
    index in (urgent, submitted_at, id) order. `few`: the queryset names its cases by id (a
    clock queue); they are then fetched by id and sorted, never looked for along the archive's
    page order (which the planner may prefer, finding them only at the newest end)."""
    size = size or PAGE_SIZE
    if few:
        ordered = qs.select_related(None).only("pk", "urgent", "submitted_at")
        ordered = ordered.order_by(Coalesce("submitted_at", "submitted_at"), "pk")
    else:
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
    if few and rows:  # the page's ids first (no join), then its rows with their names
        by_id = Complaint.objects.select_related("respondent", "citizen", "assigned_officer").in_bulk(
            [c.pk for c in rows]
        )
        rows = [by_id[c.pk] for c in rows]
    return QueuePage(rows=rows, next_cursor=_cursor(rows[-1]) if more and rows else None, first=cursor is None)


def capped_count(qs: QuerySet[Complaint], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many, counting no further than `cap` (a filtered queue's heading): (n, more than cap)."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def open_counts_by_agency() -> list[dict[str, Any]]:
    """Open cases per agency: grouped by id on the partial index of open cases (an index-only
    scan), the names read for the agencies found (never a join per case)."""
    counts = dict(
        Complaint.objects.filter(status__in=OPEN).order_by().values_list("respondent_id").annotate(n=Count("*"))
    )
    names = {a.pk: a for a in Agency.objects.filter(pk__in=counts).only("name_en", "name_zh")}
    rows = [
        {
            "respondent_id": pk,
            "respondent__name_en": names[pk].name_en,
            "respondent__name_zh": names[pk].name_zh,
            "n": n,
        }
        for pk, n in counts.items()
        if pk in names
    ]
    return sorted(rows, key=lambda r: (-r["n"], r["respondent__name_en"]))


def open_counts_by_officer() -> list[dict[str, Any]]:
    """Open cases per assigned officer (None: unassigned), as `open_counts_by_agency`."""
    counts = dict(
        Complaint.objects.filter(status__in=OPEN).order_by().values_list("assigned_officer_id").annotate(n=Count("*"))
    )
    users = {
        u.pk: u for u in User.objects.filter(pk__in=[k for k in counts if k is not None]).only("email", "full_name")
    }
    rows = [
        {
            "assigned_officer_id": pk,
            "assigned_officer__email": users[pk].email if pk in users else None,
            "assigned_officer__full_name": users[pk].full_name if pk in users else None,
            "n": n,
        }
        for pk, n in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["n"], r["assigned_officer__email"] or ""))


REFERENCE_RE = re.compile(r"^OMB-\d{4}-\d{1,9}$", re.IGNORECASE)
MASKED_RE = re.compile(r"^[0-9A-Z]{2}\*{2,20}[0-9A-Z]{2}$")
WORD_RE = re.compile(r"\w+")
# Trigrams need three characters; shorter terms match the start of a word (a name, a reference).
MIN_SUBSTRING = 3


def search_citizen_ids(text: str) -> list[int] | None:
    """The citizens a whole ID number (by its keyed hash) or a masked one (`11**************34`,
    as the case page shows it) names, or None if the text is neither."""
    value = "".join(text.split()).upper()
    if MASKED_RE.match(value):
        return list(Citizen.objects.filter(national_id_masked=value).values_list("pk", flat=True))
    value = value.replace("-", "")
    # A number, not words: 12 or more characters, nearly all digits (a resident ID ends in X).
    if len(value) >= 12 and value.isalnum() and sum(ch.isdigit() for ch in value) >= len(value) - 2:
        try:
            digest = national_id.keyed_hash(value)
        except ValidationError:
            return None
        return list(Citizen.objects.filter(national_id_hash=digest).values_list("pk", flat=True))
    return None


def search_direct_hit(text: str) -> Complaint | None:
    """The one case a reference or an ID number (whole or masked) names, to go straight to it."""
    text = text.strip()
    if REFERENCE_RE.match(text):
        return Complaint.objects.filter(reference=text.upper()).first()
    citizens = search_citizen_ids(text)
    if citizens:
        cases = list(Complaint.objects.filter(citizen_id__in=citizens).order_by("-submitted_at")[:2])
        if len(cases) == 1:
            return cases[0]
    return None


def _tsquery_prefix(term: str) -> str:
    words = WORD_RE.findall(term)
    return " & ".join("'" + w.replace("'", "''") + "':*" for w in words)


def search_complaints(qs: QuerySet[Complaint], text: str) -> QuerySet[Complaint]:
    """Search the reference, the citizen's name, the statement, the record description and the
    respondent's names (`Complaint.search_text`, lower case).

    PostgreSQL: three characters or more match anywhere (`LIKE '%...%'` on the pg_trgm GIN index,
    Chinese included) or as words (English full text on its GIN index: stems, any order); one or
    two characters match the start of a word (a prefix query on the full-text index). An ID number,
    whole or masked, finds that person's cases. SQLite (the embedded default): a plain substring
    match on the column (no index; fine for a small office, not for the archive)."""
    text = " ".join(text.split())
    if not text:
        return qs
    citizens = search_citizen_ids(text)
    if citizens is not None:
        return qs.filter(citizen_id__in=citizens)
    needle = text.lower()
    if connection.vendor != "postgresql":
        return qs.filter(search_text__contains=needle)
    if len(needle) >= MIN_SUBSTRING:
        return qs.filter(
            Q(search_text__contains=needle)
            | Q(
                RawSQL(
                    "to_tsvector('english'::regconfig, search_text) @@ websearch_to_tsquery('english'::regconfig, %s)",
                    [needle],
                    output_field=BooleanField(),
                )
            )
        )
    prefix = _tsquery_prefix(needle)
    if not prefix:
        return qs.none()
    return qs.filter(
        RawSQL(
            "to_tsvector('english'::regconfig, search_text) @@ to_tsquery('english'::regconfig, %s)",
            [prefix],
            output_field=BooleanField(),
        )
    )


def representation_requests_waiting() -> list[RepresentationRequest]:
    """Requests to represent someone that wait for an officer, oldest first."""
    return list(
        RepresentationRequest.objects.filter(status=RepresentationStatus.PENDING)
        .select_related("citizen", "representative")
        .order_by("created_at", "pk")[:200]
    )


def identity_matches_open() -> list[IdentityMatch]:
    """Sign-ups whose ID number matched an existing record, not yet handled, oldest first."""
    return list(
        IdentityMatch.objects.filter(resolved_at__isnull=True)
        .select_related("user", "citizen")
        .order_by("created_at")[:200]
    )


def determinations_awaiting_signature() -> list[Determination]:
    """Draft decisions waiting for a senior officer's signature, oldest first."""
    return list(
        Determination.objects.filter(status__in=UNISSUED_STATUSES)
        .select_related("complaint", "drafted_by", "complaint__respondent")
        .order_by("drafted_at", "pk")[:200]
    )


# What another side did on a case that an officer should read (the queues' "new" marker).
ACTIVITY_KINDS = (
    CaseEventKind.MESSAGE,
    CaseEventKind.ATTACHMENT_ADDED,
    CaseEventKind.RECORD_AGENCY_RESPONSE,
    CaseEventKind.INFORMATION_ANSWERED,
    CaseEventKind.CORRECTION_CONFIRMED,
    CaseEventKind.PROVISIONAL_COMMENT,
)


def unread_activity(*, officer: User, complaint_ids: list[int]) -> set[int]:
    """The cases of a page on which the citizen or the agency did something since this officer
    last opened the case page (the access log says when): two queries for the whole page."""
    if not complaint_ids:
        return set()
    latest = dict(
        CaseEvent.objects.filter(
            complaint_id__in=complaint_ids, actor_kind__in=("citizen", "agency"), kind__in=ACTIVITY_KINDS
        )
        .values("complaint_id")
        .annotate(at=Max("created_at"))
        .values_list("complaint_id", "at")
    )
    seen = dict(  # asked whatever `latest` holds, so the page's query count never varies
        AccessLogEntry.objects.filter(complaint_id__in=complaint_ids, reader_user=officer, kind=AccessKind.CASE)
        .values("complaint_id")
        .annotate(at=Max("at"))
        .values_list("complaint_id", "at")
    )
    return {cid for cid, at in latest.items() if seen.get(cid) is None or seen[cid] < at}
