"""Reads of legal clocks: per case for each audience, and the officers' queues."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Agency
from complaints.models import CaseEvent, Complaint
from kernel.actors import ActorKind

from .models import ACTIVE_STATUSES, SWEEPABLE_STATUSES, Clock, ClockRule, ClockStatus, OwedBy
from .rules_data import load_rules


def _base() -> QuerySet[Clock]:
    return Clock.objects.select_related("rule", "agency", "complaint").prefetch_related("pauses")


def clocks_for_complaint(*, complaint: Complaint, audience: str, agency: Agency | None = None) -> QuerySet[Clock]:
    """`audience` is 'officer' (every clock), 'citizen' (every clock but the ombudsman's internal
    ones) or 'agency' (only the clocks that agency owes; `agency` defaults to the respondent)."""
    qs = _base().filter(complaint=complaint).order_by("started_at", "id")
    if audience == "officer":
        return qs
    if audience == "citizen":
        return qs.exclude(owed_by=OwedBy.OMBUDSMAN)
    if audience == "agency":
        agency_id = agency.pk if agency is not None else complaint.respondent_id
        return qs.filter(owed_by=OwedBy.AGENCY, agency_id=agency_id)
    raise ValueError(f"unknown audience {audience!r}")


def _local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone() if settings.USE_TZ else None
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def clocks_due_today(*, now: datetime) -> QuerySet[Clock]:
    """Running clocks that run out between now and the end of today (the service's time zone)."""
    _start, end = _local_day_bounds(now)
    return _base().filter(status=ClockStatus.OPEN, due_at__gt=now, due_at__lte=end).order_by("due_at", "id")


def clocks_overdue(*, now: datetime) -> QuerySet[Clock]:
    """Clocks that have run out and are not met or cancelled (paused clocks are not running)."""
    return _base().filter(status__in=SWEEPABLE_STATUSES, due_at__lte=now).order_by("due_at", "id")


def clocks_escalated(*, min_level: int = 1) -> QuerySet[Clock]:
    return (
        _base()
        .filter(status=ClockStatus.MISSED, escalation_level__gte=min_level)
        .order_by("-escalation_level", "due_at", "id")
    )


def clocks_by_agency(*, agency: Agency, active_only: bool = True) -> QuerySet[Clock]:
    qs = _base().filter(agency=agency)
    if active_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    return qs.order_by("due_at", "id")


def clock_rules_current() -> QuerySet[ClockRule]:
    if not ClockRule.objects.exists():  # a flushed database: the seed comes back (see rule_current)
        load_rules(ClockRule)
    return ClockRule.objects.current()


def clock_rule_get(*, code: str) -> ClockRule | None:
    clock_rules_current()
    return ClockRule.objects.filter(code=code, active=True).order_by("-version").first()


def has_running_clock(complaint_id: int, obligation: str, subject_key: str, owed_by: str | None = None) -> bool:
    clocks = Clock.objects.filter(
        complaint_id=complaint_id, obligation=obligation, subject_key=subject_key, status__in=ACTIVE_STATUSES
    )
    if owed_by is not None:
        clocks = clocks.filter(owed_by=owed_by)
    return clocks.exists()


def clocks_of_subject(complaint_id: int, obligation: str, subject_key: str) -> dict[str, Clock]:
    """The newest clock of each party (owed_by -> clock) for one subject: the citizen's and the
    agency's comment periods on a provisional decision."""
    rows = Clock.objects.filter(complaint_id=complaint_id, obligation=obligation, subject_key=subject_key).order_by(
        "started_at", "id"
    )
    return {clock.owed_by: clock for clock in rows}


def clock_consumer_information_at(*, clock: Clock, now: datetime) -> datetime | None:
    """When the consumer last sent information on the case inside the clock's running time."""
    return (
        CaseEvent.objects.filter(
            complaint_id=clock.complaint_id,
            actor_kind=ActorKind.CITIZEN.value,
            kind__in=("message", "attachment_added"),
            created_at__gte=clock.started_at,
            created_at__lt=min(now, clock.due_at) + timedelta(microseconds=1),
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
