"""How a clock reads on the case timeline and in messages: its obligation's label, times in the
clock's own calendar, the data every clock event carries, who may see the event, and writing one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from agencies.jurisdictions import jurisdiction_get
from complaints.lifecycle import case_event_record
from complaints.models import CaseEvent
from kernel.actors import Actor
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

from . import calendar as cal
from .models import Clock, Obligation, OwedBy


def label(obligation: str) -> str:
    return str(Obligation(obligation).label)


def local_time(moment: datetime, jurisdiction: str) -> str:
    """`moment` in the jurisdiction's time zone, named: '2026-12-16 17:00 Asia/Shanghai'."""
    local = moment.astimezone(cal.timezone_for(jurisdiction))
    return f"{local:%Y-%m-%d %H:%M} {jurisdiction_get(jurisdiction).timezone}"


def duration(d: timedelta) -> str:
    days, rest = divmod(int(d.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days} d {hours} h {rest // 60} min"


def owed_by_another_agency(clock: Clock) -> bool:
    """A clock owed by an agency that is not the respondent (an information request to a
    recipient of the data, a correction order): the respondent must not read about it."""
    return clock.owed_by == OwedBy.AGENCY and clock.agency_id != clock.complaint.respondent_id


def visibility_for(clock: Clock) -> Visibility:
    if owed_by_another_agency(clock):
        return Visibility.CITIZEN
    return {
        OwedBy.AGENCY: Visibility.PARTIES,
        OwedBy.CITIZEN: Visibility.CITIZEN,
    }.get(OwedBy(clock.owed_by), Visibility.INTERNAL)


def event_data(clock: Clock, **extra: Any) -> dict[str, Any]:
    return {
        "clock_id": clock.pk,
        "obligation": clock.obligation,
        "subject_key": clock.subject_key,
        "agency_id": clock.agency_id,
        "due_at": clock.due_at.isoformat(),
        "rule": f"{clock.rule.code} v{clock.rule_version}" if clock.rule_id else "",
        **extra,
    }


def clock_event_record(
    clock: Clock, kind: CaseEventKind, *, actor: Actor, now: datetime, message: str, **extra: Any
) -> CaseEvent:
    """One event about `clock` on its case's timeline, visible to whom the clock concerns."""
    return case_event_record(
        complaint=clock.complaint,
        actor=actor,
        kind=kind,
        now=now,
        message=message,
        data=event_data(clock, **extra),
        visibility=visibility_for(clock),
    )
