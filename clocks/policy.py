"""Reminder and escalation policy as plain data (no ORM), plus the pure function that says what a
clock's next steps are at a given time. The sweep (`clocks.sweep.clock_sweep`) applies it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .calendar import local_date, previous_working_day, start_of_day


class Level3Action(StrEnum):
    # The case moves to investigation with the agency recorded in default (DESIGN.md: an agency
    # that misses its response deadline; the FCRA rule: what cannot be verified in time is not "verified").
    OPEN_INVESTIGATION_IN_DEFAULT = "open_investigation_in_default"
    # A senior officer is alerted; the case status does not change (information requests and
    # correction orders during investigation / compliance).
    ALERT_SENIOR_OFFICER = "alert_senior_officer"
    NONE = "none"


@dataclass(frozen=True)
class EscalationPolicy:
    max_level: int
    level3: Level3Action = Level3Action.NONE


# By obligation. A missed citizen reply only tells the officer (level 1): the citizen is never
# "escalated" against.
ESCALATION_POLICY: dict[str, EscalationPolicy] = {
    "acknowledge": EscalationPolicy(3, Level3Action.OPEN_INVESTIGATION_IN_DEFAULT),
    "mark_disputed": EscalationPolicy(3, Level3Action.OPEN_INVESTIGATION_IN_DEFAULT),
    "respond": EscalationPolicy(3, Level3Action.OPEN_INVESTIGATION_IN_DEFAULT),
    "information_request": EscalationPolicy(3, Level3Action.ALERT_SENIOR_OFFICER),
    "compliance": EscalationPolicy(3, Level3Action.ALERT_SENIOR_OFFICER),
    "citizen_reply": EscalationPolicy(1, Level3Action.NONE),
    # The comment period on a provisional decision: when it runs out the officer is told, and the
    # final decision may be signed; nobody is escalated against for not commenting.
    "provisional_comment": EscalationPolicy(1, Level3Action.NONE),
    # The ombudsman's own deadline to decide a review: the assigned officer, then the seniors, hear.
    "review": EscalationPolicy(2, Level3Action.NONE),
}

# Escalation level -> how long after the due time it happens.
ESCALATION_DELAYS: dict[int, timedelta] = {1: timedelta(0), 2: timedelta(days=3), 3: timedelta(days=7)}

# Who hears about each escalation level (besides the timeline event):
#   1: the party that owes (agency: email + `clock.missed` webhook) and the assigned officer;
#   2: the agency's escalation contact (email + `referral.escalated` webhook) and the senior officers;
#   3: the level-3 action above, the senior officers and the agency (`referral.escalated` webhook).
ESCALATION_AUDIENCE: dict[int, tuple[str, ...]] = {
    1: ("owing_party", "assigned_officer"),
    2: ("agency_escalation_contact", "senior_officers"),
    3: ("senior_officers", "assigned_officer", "agency_webhook"),
}

# Reminder levels to the party that owes: 1 halfway through, 2 at the start of the last working
# day before the due day. A reminder whose time has passed when a later one is due is skipped
# (one reminder per sweep, never twice), and none is sent once the clock has run out.
REMINDER_LEVELS = (1, 2)


def reminder_times(*, started_at: datetime, due_at: datetime, jurisdiction: str) -> dict[int, datetime]:
    halfway = started_at + (due_at - started_at) / 2
    last_day = local_date(jurisdiction, due_at - timedelta(microseconds=1))
    day_before = start_of_day(jurisdiction, previous_working_day(jurisdiction, last_day))
    times: dict[int, datetime] = {}
    if started_at < day_before < due_at:
        times[2] = day_before
    if started_at < halfway < due_at and (2 not in times or halfway < times[2]):
        times[1] = halfway
    return times


@dataclass(frozen=True)
class Plan:
    reminder: int | None  # the reminder level to send now
    reminder_level: int  # the clock's reminder level after this step
    escalations: tuple[int, ...]  # escalation levels to apply now, in order
    next_action_at: datetime | None


def plan(
    *,
    obligation: str,
    started_at: datetime,
    due_at: datetime,
    jurisdiction: str,
    reminder_level: int,
    escalation_level: int,
    now: datetime,
) -> Plan:
    """What a running (open or missed) clock must do at `now`, and when it next needs the sweep."""
    policy = ESCALATION_POLICY[obligation]
    if now < due_at:
        times = reminder_times(started_at=started_at, due_at=due_at, jurisdiction=jurisdiction)
        due_now = [level for level, at in times.items() if level > reminder_level and at <= now]
        send = max(due_now) if due_now else None
        level_after = max(reminder_level, send or 0)
        future = [at for level, at in times.items() if level > level_after]
        return Plan(send, level_after, (), min([*future, due_at]))
    escalations = tuple(
        level for level in range(escalation_level + 1, policy.max_level + 1) if due_at + ESCALATION_DELAYS[level] <= now
    )
    reached = escalations[-1] if escalations else escalation_level
    following = reached + 1
    next_at = due_at + ESCALATION_DELAYS[following] if following <= policy.max_level else None
    return Plan(None, max(reminder_level, max(REMINDER_LEVELS)), escalations, next_at)


def first_action_at(*, started_at: datetime, due_at: datetime, jurisdiction: str) -> datetime:
    times = reminder_times(started_at=started_at, due_at=due_at, jurisdiction=jurisdiction)
    return min([*times.values(), due_at])
