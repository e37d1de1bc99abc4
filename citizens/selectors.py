"""Reads of citizens' data that several interfaces share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from .models import AccessKind, AccessLogEntry


@dataclass(frozen=True)
class Viewing:
    """Reads of the same kind by the same reader on one day, condensed for the citizen's page."""

    day: date
    reader_kind: str
    reader_user: str
    reader_agency: str
    kind: str
    kind_label: str
    times: int
    why: str


def _of_case(complaint_id: int, citizen_id: int) -> Q:
    return Q(complaint_id=complaint_id) | Q(citizen_id=citizen_id, complaint_id__isnull=True)


def access_log_for_case(*, complaint_id: int, citizen_id: int, limit: int = 500) -> list[Viewing]:
    """Who read this case, its files, or the person's details, newest first, condensed by day."""
    rows = (
        AccessLogEntry.objects.filter(
            Q(complaint_id=complaint_id) | Q(citizen_id=citizen_id, complaint_id__isnull=True)
        )
        .select_related("reader_user", "reader_agency")
        .order_by("-at", "-id")[:limit]
    )
    labels = dict(AccessKind.choices)
    grouped: dict[tuple[date, str, int | None, int | None, str], list[AccessLogEntry]] = {}
    for row in rows:
        key = (row.at.date(), row.reader_kind, row.reader_user_id, row.reader_agency_id, row.kind)
        grouped.setdefault(key, []).append(row)
    out = []
    for (day, reader_kind, _u, _a, kind), entries in grouped.items():
        first = entries[0]
        out.append(
            Viewing(
                day=day,
                reader_kind=reader_kind,
                reader_user=str(first.reader_user) if first.reader_user else "",
                reader_agency=first.reader_agency.display_name if first.reader_agency else "",
                kind=kind,
                kind_label=str(labels.get(kind, kind)),
                times=len(entries),
                why=first.why,
            )
        )
    return out


def access_log_rows(*, complaint_id: int, citizen_id: int) -> list[AccessLogEntry]:
    """Every entry of the case (the senior officers' export), oldest first."""
    return list(
        AccessLogEntry.objects.filter(
            Q(complaint_id=complaint_id) | Q(citizen_id=citizen_id, complaint_id__isnull=True)
        )
        .select_related("reader_user", "reader_agency")
        .order_by("at", "id")
    )
