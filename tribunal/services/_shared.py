"""Helpers the tribunal's services share (private to the package): input checks, the officer
alert, the record a case is about, and the legal clocks of requests and orders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from accounts.models import User
from agencies.models import Agency, RecordCategory
from clocks.models import ACTIVE_STATUSES, Clock
from clocks.services import clock_cancel, clock_meet, clock_start, clocks_start_for_agencies
from complaints.models import Complaint
from kernel.actors import Actor
from kernel.errors import ServiceError

MAX_TEXT = 20_000
MAX_ITEMS = 50


# --- input ------------------------------------------------------------------------------------


def text(value: object, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    cleaned = (value if isinstance(value, str) else "").strip()
    if required and not cleaned:
        raise ServiceError(f"{field.replace('_', ' ').capitalize()} is required.", field=field)
    if len(cleaned) > limit:
        raise ServiceError(f"Keep {field.replace('_', ' ')} under {limit} characters.", field=field)
    return cleaned


def string_list(values: object, *, field: str, required: bool) -> list[str]:
    if values is None:
        values = []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ServiceError(f"{field} must be a list of texts.", field=field)
    items = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if len(items) != len(list(values)):
        raise ServiceError(f"Every item of {field} must be a non-empty text.", field=field)
    if required and not items:
        raise ServiceError(f"Give at least one item in {field}.", field=field)
    if len(items) > MAX_ITEMS:
        raise ServiceError(f"At most {MAX_ITEMS} items in {field}.", field=field)
    return items


def acting_user(actor: Actor) -> User:
    """The officer behind an actor the transition table has let through (officers only)."""
    if actor.user is None:
        raise ServiceError("This step needs an officer's account.", field="actor")
    return actor.user


# --- the case ---------------------------------------------------------------------------------


def origin_record(complaint: Complaint) -> tuple[RecordCategory | None, str]:
    """The category and the holder's reference of the record the case is about."""
    entry = complaint.blacklist_entry
    if entry is not None:
        return entry.category, entry.agency_record_id
    if complaint.score_record is not None:
        return None, complaint.score_record.agency_record_id
    return None, ""


# --- clocks (tribunal sits above clocks: direct calls, in the step's transaction) -------------


def duty_clocks_start(
    *, complaint: Complaint, obligation: str, duties: list[tuple[Agency, str]], now: datetime, actor: Actor
) -> dict[str, Clock]:
    """Start the legal clocks of many agencies' duties at once (subject key -> clock)."""
    return clocks_start_for_agencies(complaint=complaint, obligation=obligation, duties=duties, now=now, actor=actor)


def duty_clock_start(
    *, complaint: Complaint, obligation: str, agency: Agency, subject_key: str, now: datetime, actor: Actor
) -> datetime:
    """Start the legal clock of one agency's duty (a request, an order) and return its due time."""
    clock = clock_start(
        complaint=complaint, obligation=obligation, now=now, agency=agency, subject_key=subject_key, actor=actor
    )
    return clock.due_at


def duty_clock_meet(
    *, complaint_id: int, obligation: str, agency_id: int, subject_key: str, now: datetime, actor: Actor
) -> None:
    clock_meet(
        complaint_id=complaint_id,
        obligation=obligation,
        now=now,
        actor=actor,
        agency_id=agency_id,
        subject_key=subject_key,
    )


def duty_clock_cancel(
    *, complaint_id: int, obligation: str, agency_id: int, subject_key: str, now: datetime, actor: Actor, reason: str
) -> None:
    clock_ids = (
        Clock.objects.filter(
            complaint_id=complaint_id,
            obligation=obligation,
            agency_id=agency_id,
            subject_key=subject_key,
            status__in=ACTIVE_STATUSES,
        )
        .order_by("pk")
        .values_list("id", flat=True)
    )
    for clock_id in clock_ids:
        clock_cancel(clock_id=clock_id, reason=reason, now=now, actor=actor)
