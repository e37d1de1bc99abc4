"""Writes to legal clocks (house rules 1-2, 5): start, meet, cancel, pause, resume, extend, and the
sweep that reminds and escalates. Time is always an argument.

Lock order, everywhere: the complaint row first, then its clocks. The sweep never waits for a
lock: it claims due clocks *and* their complaints with `FOR UPDATE SKIP LOCKED`, so a case being
changed right now is simply picked up by the next sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.db.models import QuerySet
from django.db.models.fields import AutoFieldMixin

from accounts.models import Role, User
from agencies.models import Agency
from complaints.lifecycle import case_event_record, case_events_build, lock_case, transition
from complaints.models import CaseEvent, Complaint
from complaints.transitions import Action, Status, TransitionError
from kernel.actors import Actor, ActorKind
from kernel.errors import Conflict, NotAllowed, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from outbox.models import Channel, OutboxMessage
from outbox.services import outbox_email
from outbox.tasks import relay_outbox

from . import calendar as cal
from .models import (
    ACTIVE_STATUSES,
    SWEEPABLE_STATUSES,
    AgencyClockRegime,
    Clock,
    ClockNotice,
    ClockPause,
    ClockRule,
    ClockStatus,
    ExtensionPrecondition,
    NoticeKind,
    Obligation,
    OwedBy,
)
from .policy import ESCALATION_AUDIENCE, ESCALATION_POLICY, Level3Action, first_action_at, plan
from .rules_data import DEFAULT_REGIME, DEFAULT_URGENT_REGIME, RULES, load_rules

logger = logging.getLogger(__name__)

AGENCY_OBLIGATIONS = frozenset(
    {
        Obligation.ACKNOWLEDGE,
        Obligation.MARK_DISPUTED,
        Obligation.RESPOND,
        Obligation.INFORMATION_REQUEST,
        Obligation.COMPLIANCE,
    }
)
# What a referral opens, in this order.
REFERRAL_OBLIGATIONS = (Obligation.ACKNOWLEDGE, Obligation.MARK_DISPUTED, Obligation.RESPOND)
DEFAULT_JURISDICTION = "CN"


# --- rules ------------------------------------------------------------------------------------


def rule_current(*, code: str) -> ClockRule:
    rule = ClockRule.objects.filter(code=code, active=True).order_by("-version").first()
    if rule is None and any(row["code"] == code for row in RULES):
        # The seeded rules are missing (a database flushed after the data migration ran): reload
        # them; existing rows, including deactivated ones, are left as they are.
        load_rules(ClockRule)
        rule = ClockRule.objects.filter(code=code, active=True).order_by("-version").first()
    if rule is None:
        raise ServiceError(f"Unknown clock rule {code!r}.", field="rule_code", code="unknown_rule")
    return rule


def rule_code_for(*, agency: Agency | None, obligation: str, urgent: bool) -> str:
    """The rule an obligation runs on: the agency's regime, else the ombudsman's defaults."""
    regime = (
        AgencyClockRegime.objects.filter(agency=agency, obligation=obligation).first() if agency is not None else None
    )
    if urgent:
        if regime is not None and regime.urgent_rule_code:
            return regime.urgent_rule_code
        if obligation in DEFAULT_URGENT_REGIME:
            return DEFAULT_URGENT_REGIME[obligation]
    if regime is not None:
        return regime.rule_code
    return DEFAULT_REGIME[obligation]


def agency_regime_set(
    *, agency: Agency, obligation: str, rule_code: str, urgent_rule_code: str = ""
) -> AgencyClockRegime:
    """Configure which rule an agency's obligation runs on (new clocks only)."""
    if obligation not in AGENCY_OBLIGATIONS:
        raise ServiceError(f"{obligation!r} is not an agency obligation.", field="obligation")
    rule_current(code=rule_code)
    if urgent_rule_code:
        rule_current(code=urgent_rule_code)
    regime, _created = AgencyClockRegime.objects.update_or_create(
        agency=agency, obligation=obligation, defaults={"rule_code": rule_code, "urgent_rule_code": urgent_rule_code}
    )
    return regime


def rule_due_date(*, rule: ClockRule, received: date, jurisdiction: str | None = None) -> cal.DueDate:
    """The public calculator behind `GET /api/v1/clock-rules/{code}/due-date`."""
    jur = jurisdiction or rule.jurisdiction or DEFAULT_JURISDICTION
    try:
        due = cal.compute_due(rule.period, received, jur)
    except cal.UnknownJurisdiction as exc:
        raise ServiceError(str(exc), field="jurisdiction") from exc
    return cal.DueDate(received=due.received, due=due.due, explanation=_rule_prefix(rule, jur) + due.explanation)


def _rule_prefix(rule: ClockRule, jurisdiction: str) -> str:
    return f"Rule {rule.code} v{rule.version} ({rule.title}), {jurisdiction} calendar: "


def _jurisdiction_for(rule: ClockRule, agency: Agency | None, complaint: Complaint) -> str:
    """A rule with its own calendar uses it; otherwise the owing agency's (or the respondent's)."""
    if rule.jurisdiction:
        return rule.jurisdiction
    if agency is not None:
        return agency.jurisdiction
    return complaint.respondent.jurisdiction or DEFAULT_JURISDICTION


# --- helpers ----------------------------------------------------------------------------------


def _label(obligation: str) -> str:
    return str(Obligation(obligation).label)


def _fmt(moment: datetime, jurisdiction: str) -> str:
    local = moment.astimezone(cal.timezone_for(jurisdiction))
    return f"{local:%Y-%m-%d %H:%M} {cal.JURISDICTION_TIMEZONES[jurisdiction]}"


def _owed_by_another_agency(clock: Clock) -> bool:
    """A clock owed by an agency that is not the respondent (an information request to a
    recipient of the data, a correction order): the respondent must not read about it."""
    return clock.owed_by == OwedBy.AGENCY and clock.agency_id != clock.complaint.respondent_id


def _visibility_for(clock: Clock) -> Visibility:
    if _owed_by_another_agency(clock):
        return Visibility.CITIZEN
    return {
        OwedBy.AGENCY: Visibility.PARTIES,
        OwedBy.CITIZEN: Visibility.CITIZEN,
    }.get(OwedBy(clock.owed_by), Visibility.INTERNAL)


def _event_data(clock: Clock, **extra: Any) -> dict[str, Any]:
    return {
        "clock_id": clock.pk,
        "obligation": clock.obligation,
        "subject_key": clock.subject_key,
        "agency_id": clock.agency_id,
        "due_at": clock.due_at.isoformat(),
        "rule": f"{clock.rule.code} v{clock.rule_version}" if clock.rule_id else "",
        **extra,
    }


def _lock_clock(clock_id: int) -> Clock:
    """Lock the clock's complaint, then the clock (the global lock order)."""
    complaint_id = Clock.objects.filter(pk=clock_id).values_list("complaint_id", flat=True).first()
    if complaint_id is None:
        raise Conflict(f"There is no clock {clock_id}.", field="clock_id", code="no_clock")
    lock_case(complaint_id)
    return Clock.objects.select_for_update().select_related("rule", "complaint").get(pk=clock_id)


def _require_staff_or_system(actor: Actor) -> None:
    if not (actor.is_officer or actor.kind == ActorKind.SYSTEM):
        raise NotAllowed("Only officers (or the system) can do this to a clock.")


def _check_actor_may_act(clock: Clock, actor: Actor) -> None:
    if actor.kind == ActorKind.AGENCY and (actor.agency is None or actor.agency.pk != clock.agency_id):
        raise NotAllowed("This clock is not your agency's.")
    if actor.kind == ActorKind.CITIZEN:
        raise NotAllowed("Citizens cannot change clocks.")


# --- start ------------------------------------------------------------------------------------


def clock_start(
    *,
    complaint: Complaint,
    obligation: str,
    now: datetime,
    agency: Agency | None = None,
    rule_code: str | None = None,
    subject_key: str = "",
    actor: Actor | None = None,
    owed_by: str | None = None,
) -> Clock:
    """Start the clock for one obligation, received now by the party that owes it. Idempotent: if
    the same obligation (same party, same subject) already runs, that clock is returned."""
    if obligation not in Obligation.values:
        raise ServiceError(f"Unknown obligation; choose from {', '.join(Obligation.values)}.", field="obligation")
    if owed_by is None:
        if agency is not None:
            owed_by = OwedBy.AGENCY
        elif obligation == Obligation.CITIZEN_REPLY:
            owed_by = OwedBy.CITIZEN
        elif obligation in AGENCY_OBLIGATIONS:
            owed_by = OwedBy.AGENCY  # and then `agency` is required below
        else:
            owed_by = OwedBy.OMBUDSMAN
    if owed_by not in OwedBy.values:
        raise ServiceError(f"Unknown party; choose from {', '.join(OwedBy.values)}.", field="owed_by")
    if obligation in AGENCY_OBLIGATIONS and owed_by == OwedBy.AGENCY and agency is None:
        raise ServiceError(f"Say which agency owes {obligation!r}.", field="agency")
    if owed_by != OwedBy.AGENCY:
        agency = None
    if len(subject_key) > 100:
        raise ServiceError("The subject key is at most 100 characters.", field="subject_key")
    actor = actor or Actor.system()
    code = rule_code or rule_code_for(agency=agency, obligation=obligation, urgent=complaint.urgent)
    rule = rule_current(code=code)

    with transaction.atomic():
        locked = lock_case(complaint.pk)
        existing = (
            Clock.objects.filter(
                complaint=locked,
                obligation=obligation,
                owed_by=owed_by,
                agency=agency,
                subject_key=subject_key,
                status__in=ACTIVE_STATUSES,
            )
            .select_related("rule")
            .first()
        )
        if existing is not None:
            return existing
        jurisdiction = _jurisdiction_for(rule, agency, locked)
        received = cal.local_date(jurisdiction, now)
        due = cal.compute_due(rule.period, received, jurisdiction)
        due_at = cal.end_of_day(jurisdiction, due.due)
        explanation = (
            f"{_label(obligation)}: "
            + _rule_prefix(rule, jurisdiction)
            + due.explanation
            + f" The clock runs out at {_fmt(due_at, jurisdiction)}."
        )
        clock = Clock.objects.create(
            complaint=locked,
            obligation=obligation,
            owed_by=owed_by,
            agency=agency,
            subject_key=subject_key,
            rule=rule,
            rule_version=rule.version,
            jurisdiction=jurisdiction,
            started_at=now,
            received_on=received,
            due_on=due.due,
            due_at=due_at,
            explanation=explanation,
            status=ClockStatus.OPEN,
            next_action_at=first_action_at(started_at=now, due_at=due_at, jurisdiction=jurisdiction),
            created_at=now,
        )
        case_event_record(
            complaint=locked,
            actor=actor,
            kind=CaseEventKind.CLOCK_STARTED,
            now=now,
            message=explanation,
            data=_event_data(clock),
            visibility=_visibility_for(clock),
        )
    return clock


def clocks_start_for_referral(*, complaint: Complaint, agency: Agency, now: datetime, actor: Actor) -> list[Clock]:
    """The agency's clocks when a case is referred to it: acknowledge, mark disputed, respond."""
    return [
        clock_start(complaint=complaint, obligation=o, now=now, agency=agency, actor=actor)
        for o in REFERRAL_OBLIGATIONS
    ]


# --- meet / cancel ----------------------------------------------------------------------------


def clock_meet(
    *,
    complaint_id: int,
    obligation: str,
    now: datetime,
    actor: Actor,
    agency_id: int | None = None,
    subject_key: str = "",
) -> Clock:
    """The party did what it owed. Meeting a met clock is a no-op; a clock that does not exist
    (or was cancelled) is a Conflict."""
    with transaction.atomic():
        lock_case(complaint_id)
        qs = Clock.objects.select_for_update().filter(
            complaint_id=complaint_id, obligation=obligation, subject_key=subject_key
        )
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
        clock = qs.filter(status__in=ACTIVE_STATUSES).first() or qs.order_by("-started_at", "-id").first()
        if clock is None:
            whose = f" for agency {agency_id}" if agency_id is not None else ""
            key = f" ({subject_key})" if subject_key else ""
            raise Conflict(
                f"There is no {obligation!r} clock{whose}{key} on this complaint to meet.",
                field="obligation",
                code="no_clock",
            )
        _check_actor_may_act(clock, actor)
        if clock.status == ClockStatus.MET:
            return clock
        if clock.status == ClockStatus.CANCELLED:
            raise Conflict(
                f"The {obligation!r} clock was cancelled ({clock.cancel_reason or 'no reason given'}).",
                field="obligation",
                code="clock_cancelled",
            )
        if clock.status == ClockStatus.PAUSED:
            _close_pause(clock, now=now, actor=actor)
        late = now >= clock.due_at
        clock.status = ClockStatus.MET
        clock.met_at = now
        clock.paused_at = None
        clock.next_action_at = None
        clock.save(update_fields=["status", "met_at", "paused_at", "next_action_at"])
        case_event_record(
            complaint=clock.complaint,
            actor=actor,
            kind=CaseEventKind.CLOCK_MET,
            now=now,
            message=f"{_label(obligation)}: met {'late' if late else 'on time'} ({_fmt(now, clock.jurisdiction)}; "
            f"due {_fmt(clock.due_at, clock.jurisdiction)}).",
            data=_event_data(clock, late=late),
            visibility=_visibility_for(clock),
        )
    return clock


def clock_cancel(*, clock_id: int, reason: str, now: datetime, actor: Actor) -> Clock:
    """Stop a clock that no longer binds anyone (withdrawn case, re-referral). Idempotent."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason the clock is cancelled.", field="reason")
    with transaction.atomic():
        clock = _lock_clock(clock_id)
        _check_actor_may_act(clock, actor)
        if actor.kind == ActorKind.AGENCY:
            raise NotAllowed("An agency cannot cancel its own clock.")
        _cancel_locked(clock, reason=reason, now=now, actor=actor)
    return clock


def _cancel_locked(clock: Clock, *, reason: str, now: datetime, actor: Actor) -> None:
    if clock.status in (ClockStatus.MET, ClockStatus.CANCELLED):
        return
    if clock.status == ClockStatus.PAUSED:
        _close_pause(clock, now=now, actor=actor)
    clock.status = ClockStatus.CANCELLED
    clock.cancelled_at = now
    clock.cancel_reason = reason[:2000]
    clock.paused_at = None
    clock.next_action_at = None
    clock.save(update_fields=["status", "cancelled_at", "cancel_reason", "paused_at", "next_action_at"])
    case_event_record(
        complaint=clock.complaint,
        actor=actor,
        kind=CaseEventKind.CLOCK_CANCELLED,
        now=now,
        message=f"{_label(clock.obligation)}: clock cancelled. {reason}",
        data=_event_data(clock),
        visibility=_visibility_for(clock),
    )


def clocks_cancel_for_complaint(
    *,
    complaint_id: int,
    reason: str,
    now: datetime,
    actor: Actor,
    obligations: Iterable[str] | None = None,
    agency_id: int | None = None,
    exclude_agency_id: int | None = None,
    statuses: Iterable[str] = ACTIVE_STATUSES,
) -> list[Clock]:
    """Cancel every active clock of a case (or those of some obligations / one agency)."""
    with transaction.atomic():
        lock_case(complaint_id)
        qs = (
            Clock.objects.select_for_update()
            .select_related("complaint", "rule")
            .filter(complaint_id=complaint_id, status__in=list(statuses))
        )
        if obligations is not None:
            qs = qs.filter(obligation__in=list(obligations))
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
        if exclude_agency_id is not None:
            qs = qs.exclude(agency_id=exclude_agency_id)
        clocks = list(qs.order_by("id"))
        for clock in clocks:
            _cancel_locked(clock, reason=reason, now=now, actor=actor)
    return clocks


def clock_meet_if_running(*, complaint: Complaint, obligation: str, actor: Actor, now: datetime) -> None:
    """Meet the respondent's clock for `obligation` if the referral started one (rules decide which)."""
    if Clock.objects.filter(
        complaint=complaint, obligation=obligation, agency_id=complaint.respondent_id
    ).exists():
        clock_meet(
            complaint_id=complaint.pk, obligation=obligation, now=now, actor=actor, agency_id=complaint.respondent_id
        )


def clocks_meet_for_complaint(
    *, complaint_id: int, obligations: Iterable[str], now: datetime, actor: Actor, agency_id: int | None = None
) -> list[Clock]:
    """Meet the running clocks of these obligations (e.g. an agency's answer meets acknowledge,
    mark disputed and respond at once). Missing clocks are skipped, not an error."""
    met = []
    with transaction.atomic():
        lock_case(complaint_id)
        qs = Clock.objects.filter(
            complaint_id=complaint_id, obligation__in=list(obligations), status__in=ACTIVE_STATUSES
        )
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
        for obligation, agency, key in qs.order_by("id").values_list("obligation", "agency_id", "subject_key"):
            met.append(
                clock_meet(
                    complaint_id=complaint_id,
                    obligation=obligation,
                    now=now,
                    actor=actor,
                    agency_id=agency,
                    subject_key=key,
                )
            )
    return met


# --- pause / resume / extend ------------------------------------------------------------------


def _close_pause(clock: Clock, *, now: datetime, actor: Actor) -> timedelta:
    pause = ClockPause.objects.select_for_update().filter(clock=clock, resumed_at__isnull=True).first()
    start = clock.paused_at or (pause.paused_at if pause else now)
    paused = max(now - start, timedelta(0))
    if pause is not None:
        pause.resumed_at = max(now, pause.paused_at)
        pause.resumed_by = actor.display[:200]
        pause.save(update_fields=["resumed_at", "resumed_by"])
    return paused


def clock_pause(*, clock_id: int, reason: str, now: datetime, actor: Actor) -> Clock:
    """Stop the clock while the ombudsman waits on the citizen; recorded in the pause ledger."""
    _require_staff_or_system(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for the pause (what the ombudsman is waiting for).", field="reason")
    with transaction.atomic():
        clock = _lock_clock(clock_id)
        if clock.status == ClockStatus.PAUSED:
            raise Conflict("The clock is already paused.", field="clock_id", code="already_paused")
        if clock.status != ClockStatus.OPEN:
            raise Conflict(
                f"Only a running clock can be paused; this one is {clock.get_status_display().lower()}.",
                field="clock_id",
                code="not_running",
            )
        ClockPause.objects.create(clock=clock, paused_at=now, reason=reason, paused_by=actor.display[:200])
        clock.status = ClockStatus.PAUSED
        clock.paused_at = now
        clock.next_action_at = None
        clock.save(update_fields=["status", "paused_at", "next_action_at"])
        case_event_record(
            complaint=clock.complaint,
            actor=actor,
            kind=CaseEventKind.CLOCK_PAUSED,
            now=now,
            message=f"{_label(clock.obligation)}: clock paused. {reason}",
            data=_event_data(clock, reason=reason),
            visibility=_visibility_for(clock),
        )
    return clock


def clock_resume(*, clock_id: int, now: datetime, actor: Actor) -> Clock:
    """Restart a paused clock: the due time moves later by exactly the time it was paused."""
    _require_staff_or_system(actor)
    with transaction.atomic():
        clock = _lock_clock(clock_id)
        if clock.status != ClockStatus.PAUSED:
            raise Conflict("The clock is not paused.", field="clock_id", code="not_paused")
        started = clock.paused_at
        assert started is not None
        paused = _close_pause(clock, now=now, actor=actor)
        clock.due_at += paused
        clock.paused_seconds += int(paused.total_seconds())
        clock.status = ClockStatus.OPEN
        clock.paused_at = None
        note = (
            f" Paused from {_fmt(started, clock.jurisdiction)} to {_fmt(now, clock.jurisdiction)} "
            f"({_duration(paused)}); "
            f"the clock now runs out at {_fmt(clock.due_at, clock.jurisdiction)}."
        )
        clock.explanation += note
        clock.next_action_at = _next_action(clock, now)
        clock.save(update_fields=["due_at", "paused_seconds", "status", "paused_at", "explanation", "next_action_at"])
        case_event_record(
            complaint=clock.complaint,
            actor=actor,
            kind=CaseEventKind.CLOCK_RESUMED,
            now=now,
            message=f"{_label(clock.obligation)}: clock resumed.{note}",
            data=_event_data(clock, paused_seconds=int(paused.total_seconds())),
            visibility=_visibility_for(clock),
        )
    return clock


def _duration(d: timedelta) -> str:
    days, rest = divmod(int(d.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days} d {hours} h {rest // 60} min"


def _next_action(clock: Clock, now: datetime) -> datetime | None:
    p = plan(
        obligation=clock.obligation,
        started_at=clock.started_at,
        due_at=clock.due_at,
        jurisdiction=clock.jurisdiction,
        reminder_level=clock.reminder_level,
        escalation_level=clock.escalation_level,
        now=now,
    )
    if p.reminder is not None or p.escalations:
        return now  # something is due already: the next sweep does it
    return p.next_action_at


def _consumer_information_at(clock: Clock, now: datetime) -> datetime | None:
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


def clock_extend(
    *,
    clock_id: int,
    now: datetime,
    actor: Actor,
    reason: str,
    consumer_information_at: datetime | None = None,
) -> Clock:
    """Apply the rule's one extension, if its precondition holds (FCRA: the consumer sent more
    information inside the 30 days; GDPR: the extension is notified inside the first month)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for the extension.", field="reason")
    with transaction.atomic():
        clock = _lock_clock(clock_id)
        _check_actor_may_act(clock, actor)
        rule = clock.rule
        ext = rule.extension_period
        if ext is None:
            raise ServiceError(f"Rule {rule.code} allows no extension.", field="rule", code="no_extension")
        if clock.extended_at is not None:
            raise Conflict(
                "This clock has already been extended once; the rule allows one extension.",
                field="clock_id",
                code="already_extended",
            )
        if clock.status not in (ClockStatus.OPEN, ClockStatus.PAUSED):
            raise Conflict(
                f"Only a running clock can be extended; this one is {clock.get_status_display().lower()}.",
                field="clock_id",
                code="not_running",
            )
        first_end = clock.due_at + (now - clock.paused_at if clock.paused_at else timedelta(0))
        if rule.extension_precondition == ExtensionPrecondition.NOTICE_WITHIN_FIRST_PERIOD and now >= first_end:
            raise ServiceError(
                f"Rule {rule.code}: the {ext.describe()} extension must be notified inside the first period, which "
                f"ended {_fmt(first_end, clock.jurisdiction)}; it is now {_fmt(now, clock.jurisdiction)}.",
                field="extension",
                code="extension_precondition",
            )
        if now >= first_end:
            raise ServiceError(
                f"Too late: the extension had to be made before the clock ran out "
                f"({_fmt(first_end, clock.jurisdiction)}).",
                field="extension",
                code="extension_too_late",
            )
        if rule.extension_precondition == ExtensionPrecondition.CONSUMER_INFORMATION_WITHIN_PERIOD:
            info_at = consumer_information_at or _consumer_information_at(clock, now)
            if info_at is None or not (clock.started_at <= info_at < first_end) or info_at > now:
                raise ServiceError(
                    f"Rule {rule.code}: the {ext.describe()} extension is allowed only if the consumer sent more "
                    f"information inside the first period ({_fmt(clock.started_at, clock.jurisdiction)} to "
                    f"{_fmt(clock.due_at, clock.jurisdiction)}); none is recorded.",
                    field="consumer_information_at",
                    code="extension_precondition",
                )
            basis = f"the consumer sent more information on {_fmt(info_at, clock.jurisdiction)}"
        elif rule.extension_precondition == ExtensionPrecondition.NOTICE_WITHIN_FIRST_PERIOD:
            basis = f"notified on {_fmt(now, clock.jurisdiction)}, inside the first period"
        else:
            basis = "no precondition"
        if ext.unit == rule.period.unit:
            combined = cal.Period(rule.amount + ext.amount, ext.unit, rule.count_start_day, rule.roll_forward)
            due = cal.compute_due(combined, clock.received_on, clock.jurisdiction)
        else:
            due = cal.compute_due(ext, clock.due_on, clock.jurisdiction)
        new_due_at = cal.end_of_day(clock.jurisdiction, due.due) + timedelta(seconds=clock.paused_seconds)
        note = (
            f" Extended by {ext.describe()} ({basis}; reason: {reason}): {due.explanation} The clock now runs out at "
            f"{_fmt(new_due_at, clock.jurisdiction)}."
        )
        clock.due_on = due.due
        clock.due_at = new_due_at
        clock.extended_at = now
        clock.extension_reason = reason
        clock.explanation += note
        fields = ["due_on", "due_at", "extended_at", "extension_reason", "explanation"]
        if clock.status == ClockStatus.OPEN:
            clock.next_action_at = _next_action(clock, now)
            fields.append("next_action_at")
        clock.save(update_fields=fields)
        event = case_event_record(
            complaint=clock.complaint,
            actor=actor,
            kind=CaseEventKind.CLOCK_EXTENDED,
            now=now,
            message=f"{_label(clock.obligation)}: deadline extended.{note}",
            data=_event_data(clock, reason=reason),
            visibility=_visibility_for(clock),
        )
        complaint = Complaint.objects.select_related("citizen__user").get(pk=clock.complaint_id)
        _email_citizen(
            complaint,
            subject=f"Your case {complaint.reference}: a deadline was extended",
            body=f"{_label(clock.obligation)}: the deadline was extended.{note}",
            topic="email.clock.extended",
            key=f"clock:{clock.pk}:extended",
            now=now,
        )
        del event
    return clock


def _email_citizen(complaint: Complaint, *, subject: str, body: str, topic: str, key: str, now: datetime) -> None:
    citizen = complaint.citizen
    to = citizen.email or (citizen.user.email if citizen.user else "")
    outbox_email(to=to, subject=subject, body=body, topic=topic, dedupe_key=key, now=now, complaint_id=complaint.pk)


# The citizen's reply clock to an agency's answer (its subject key).
CITIZEN_REPLY_TO_RESPONSE = "agency_response"


def has_running_clock(complaint_id: int, obligation: str, subject_key: str) -> bool:
    return Clock.objects.filter(
        complaint_id=complaint_id, obligation=obligation, subject_key=subject_key, status__in=ACTIVE_STATUSES
    ).exists()


def clocks_stop_for_investigation(*, complaint_id: int, now: datetime, actor: Actor) -> None:
    """The case left the agency's hands: its pending referral clocks are cancelled; missed ones
    stay missed (the record of default) but stop escalating."""
    clocks_cancel_for_complaint(
        complaint_id=complaint_id,
        reason="The case moved to investigation.",
        now=now,
        actor=actor,
        obligations=REFERRAL_OBLIGATIONS,
        statuses=(ClockStatus.OPEN, ClockStatus.PAUSED),
    )
    Clock.objects.filter(
        complaint_id=complaint_id, obligation__in=REFERRAL_OBLIGATIONS, status=ClockStatus.MISSED
    ).update(next_action_at=None)


# --- the sweep --------------------------------------------------------------------------------

SWEEP_BATCH_SIZE = 500


@dataclass
class SweepResult:
    batches: int = 0
    claimed: int = 0
    reminders: int = 0
    escalations: int = 0
    investigations: int = 0
    messages: int = 0
    by_level: dict[int, int] = field(default_factory=dict)


@dataclass
class _Batch:
    """Everything one batch writes, flushed with one INSERT per table."""

    now: datetime
    notices: list[ClockNotice] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    investigations: list[Clock] = field(default_factory=list)

    def email(self, *, to: str, subject: str, body: str, topic: str, key: str, complaint_id: int) -> None:
        if not to:
            return
        # The same row `outbox.services.outbox_email` writes (tests/clocks check they agree).
        self.messages.append(
            OutboxMessage(
                channel=Channel.EMAIL,
                topic=topic,
                recipient=to,
                payload={"subject": subject, "body": body},
                dedupe_key=key,
                complaint_id=complaint_id,
                next_attempt_at=self.now,
                created_at=self.now,
            )
        )

    def webhook(self, *, agency_id: int, event_type: str, data: dict[str, Any], key: str, complaint_id: int) -> None:
        # The same row `outbox.services.outbox_webhook` writes (Standard Webhooks envelope).
        self.messages.append(
            OutboxMessage(
                channel=Channel.WEBHOOK,
                topic=event_type,
                recipient=str(agency_id),
                agency_id=agency_id,
                payload={"type": event_type, "timestamp": self.now.isoformat(), "data": data},
                dedupe_key=key,
                complaint_id=complaint_id,
                next_attempt_at=self.now,
                created_at=self.now,
            )
        )


def _claim(*, now: datetime, batch_size: int) -> list[Clock]:
    """Due clocks and their complaints, locked; rows someone else holds are skipped, not waited for.
    A range scan on the partial index `clock_sweep_due`."""
    return list(_claim_queryset(now=now, batch_size=batch_size))


# What the sweep reads of the related rows (less to fetch and convert per claimed clock).
_CLAIM_ONLY = (
    *(f.name for f in Clock._meta.concrete_fields if f.name not in ("cancel_reason", "extension_reason")),
    "complaint__reference",
    "complaint__status",
    "complaint__respondent_id",
    "complaint__citizen__email",
    "complaint__citizen__user__email",
    "complaint__assigned_officer__email",
    "agency__name_en",
    "agency__contact_email",
    "agency__escalation_contact_email",
    "rule__code",
)


def _claim_queryset(*, now: datetime, batch_size: int) -> QuerySet[Clock]:
    return (
        Clock.objects.select_for_update(skip_locked=True, of=("self", "complaint"))
        .select_related("complaint__citizen__user", "complaint__assigned_officer", "agency", "rule")
        .only(*_CLAIM_ONLY)
        .filter(status__in=SWEEPABLE_STATUSES, next_action_at__lte=now)
        .order_by("next_action_at")[:batch_size]
    )


def claim_query_sql(*, now: datetime, batch_size: int = SWEEP_BATCH_SIZE) -> tuple[str, tuple[Any, ...]]:
    """The claim query's SQL and parameters (for EXPLAIN in the benchmark)."""
    sql, params = _claim_queryset(now=now, batch_size=batch_size).query.sql_with_params()
    return sql, tuple(params)


def _senior_officer_emails() -> list[str]:
    return list(
        User.objects.filter(role=Role.SENIOR_OFFICER, is_active=True).order_by("id").values_list("email", flat=True)
    )


def _webhook_data(clock: Clock, level: int) -> dict[str, Any]:
    return {
        "clock_id": clock.pk,
        "complaint": clock.complaint.reference,
        "obligation": clock.obligation,
        "subject_key": clock.subject_key,
        "due_at": clock.due_at.isoformat(),
        "rule": f"{clock.rule.code} v{clock.rule_version}",
        "level": level,
    }


def _citizen_address(complaint: Complaint) -> str:
    citizen = complaint.citizen
    return citizen.email or (citizen.user.email if citizen.user else "")


def _notify(
    batch: _Batch,
    clock: Clock,
    audience: tuple[str, ...],
    *,
    level: int,
    key: str,
    subject: str,
    body: str,
    topic: str,
    webhook_event: str,
    seniors: tuple[str, ...] | list[str] = (),
) -> str:
    """Queue the emails and webhooks for `audience` (names from `clocks.policy`); returns who the
    owing party was, for the timeline. Each recipient gets one row with its own dedupe key."""
    complaint = clock.complaint
    agency = clock.agency
    officer = complaint.assigned_officer
    sent: set[str] = set()
    owing = ""

    def email(to: str, suffix: str) -> None:
        if f"{key}:{suffix}" not in sent:
            sent.add(f"{key}:{suffix}")
            batch.email(
                to=to, subject=subject, body=body, topic=topic, key=f"{key}:{suffix}", complaint_id=complaint.pk
            )

    def webhook() -> None:
        if agency is not None and f"{key}:webhook" not in sent:
            sent.add(f"{key}:webhook")
            batch.webhook(
                agency_id=agency.pk,
                event_type=webhook_event,
                data=_webhook_data(clock, level),
                key=f"{key}:webhook",
                complaint_id=complaint.pk,
            )

    for who in audience:
        if who == "owing_party":
            if clock.owed_by == OwedBy.AGENCY and agency is not None:
                owing = agency.name_en
                webhook()
                email(agency.contact_email, "agency")
            elif clock.owed_by == OwedBy.CITIZEN:
                owing = "the citizen"
                email(_citizen_address(complaint), "citizen")
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
    return owing


def _remind(batch: _Batch, clock: Clock, level: int) -> None:
    complaint = clock.complaint
    due = _fmt(clock.due_at, clock.jurisdiction)
    label = _label(clock.obligation)
    to_whom = _notify(
        batch,
        clock,
        ("owing_party",),
        level=level,
        key=f"clock:{clock.pk}:reminder:{level}",
        subject=f"Reminder: {label} on case {complaint.reference} is due by {due}",
        body=f"{label} on case {complaint.reference} is due by {due}.\n\n{clock.explanation}",
        topic="email.clock.reminder",
        webhook_event="clock.reminder",
    )
    batch.notices.append(ClockNotice(clock=clock, kind=NoticeKind.REMINDER, level=level, created_at=batch.now))
    batch.events.append(
        {
            "complaint": complaint,
            "kind": CaseEventKind.CLOCK_REMINDER,
            "message": f"Reminder {level} to {to_whom}: {label} is due by {due}.",
            "data": _event_data(clock, level=level),
            "visibility": _visibility_for(clock),
        }
    )


LEVEL_TEXT = {
    1: "notice to the party that owes it and the assigned officer",
    2: "notice to the agency's escalation contact and the senior officers",
}


def _escalate(batch: _Batch, clock: Clock, level: int, seniors: list[str]) -> None:
    complaint = clock.complaint
    due = _fmt(clock.due_at, clock.jurisdiction)
    label = _label(clock.obligation)
    agency = clock.agency
    policy = ESCALATION_POLICY[clock.obligation]
    _notify(
        batch,
        clock,
        ESCALATION_AUDIENCE[level],
        level=level,
        key=f"clock:{clock.pk}:escalation:{level}",
        subject=f"Missed deadline (level {level}): {label} on case {complaint.reference}",
        body=f"{label} on case {complaint.reference} was due by {due} and has not been done.\n\n{clock.explanation}",
        topic="email.clock.missed" if level == 1 else "email.clock.escalated",
        webhook_event="clock.missed" if level == 1 else "referral.escalated",
        seniors=seniors,
    )
    action = LEVEL_TEXT.get(level, "")
    if level >= 3:
        if (
            policy.level3 == Level3Action.OPEN_INVESTIGATION_IN_DEFAULT
            and complaint.status == Status.REFERRED
            and complaint.pk not in {c.complaint_id for c in batch.investigations}
            and agency is not None
            and agency.pk == complaint.respondent_id
        ):
            batch.investigations.append(clock)
            action = "the case moves to investigation with the agency recorded in default"
        elif policy.level3 == Level3Action.OPEN_INVESTIGATION_IN_DEFAULT and complaint.status == Status.REFERRED:
            action = "the case moves to investigation with the agency recorded in default (with another missed clock)"
        elif policy.level3 == Level3Action.OPEN_INVESTIGATION_IN_DEFAULT:
            action = f"alert to the senior officers (the case is {complaint.get_status_display().lower()}, no change)"
        else:
            action = "alert to the senior officers"
    batch.notices.append(
        ClockNotice(clock=clock, kind=NoticeKind.ESCALATION, level=level, created_at=batch.now, detail=action[:200])
    )
    batch.events.append(
        {
            "complaint": complaint,
            "kind": CaseEventKind.CLOCK_ESCALATED,
            "message": f"{label}: missed (due {due}). Escalation level {level}: {action}.",
            "data": _event_data(clock, level=level),
            "visibility": Visibility.AGENCY
            if agency is not None and level < 3 and not _owed_by_another_agency(clock)
            else Visibility.INTERNAL,
        }
    )


def _flush(batch: _Batch, clocks: list[Clock]) -> None:
    """Write the batch: one statement per table. On PostgreSQL the rows go in with COPY; should
    an outbox row already exist (its dedupe key is unique), the batch's writes are redone with
    `INSERT ... ON CONFLICT DO NOTHING`. A second notice of the same level always fails the batch."""
    events = case_events_build(actor=Actor.system(), now=batch.now, events=batch.events)
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                _copy_rows(ClockNotice, batch.notices)
                _copy_rows(CaseEvent, events)
                _copy_rows(OutboxMessage, batch.messages)
        except IntegrityError:
            logger.warning("clocks: COPY of a sweep batch hit a duplicate; redoing it with INSERT", exc_info=True)
        else:
            _update_clocks(clocks)
            return
    ClockNotice.objects.bulk_create(batch.notices)  # a duplicate level raises: the batch rolls back
    CaseEvent.objects.bulk_create(events)
    OutboxMessage.objects.bulk_create(batch.messages, ignore_conflicts=True)
    _update_clocks(clocks)


def _copy_rows(model: type[models.Model], objs: list[Any]) -> None:
    """`COPY ... FROM STDIN` of unsaved model instances: every concrete column but an auto id,
    converted as `save()` would."""
    if not objs:
        return
    conn = connections[DEFAULT_DB_ALIAS]  # the real connection, not the thread-local proxy, per value
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    qn = conn.ops.quote_name
    columns = ", ".join(qn(f.column or f.name) for f in fields)
    sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
    with conn.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields])


def _update_clocks(clocks: list[Clock]) -> None:
    """One UPDATE for the whole batch. On PostgreSQL from arrays (`unnest`), which costs the same
    whatever the values; `bulk_update`'s CASE WHEN per row and field is the portable fallback."""
    if connection.vendor != "postgresql":
        Clock.objects.bulk_update(clocks, ["status", "reminder_level", "escalation_level", "next_action_at"])
        return
    table = connection.ops.quote_name(Clock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET"  # noqa: S608 - the table name comes from the model
            f" status = v.status, reminder_level = v.reminder_level, "
            "escalation_level = v.escalation_level, next_action_at = v.next_action_at "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::smallint[], %s::smallint[], %s::timestamptz[]) "
            "AS v(id, status, reminder_level, escalation_level, next_action_at) WHERE c.id = v.id",
            [
                [c.pk for c in clocks],
                [c.status for c in clocks],
                [c.reminder_level for c in clocks],
                [c.escalation_level for c in clocks],
                [c.next_action_at for c in clocks],
            ],
        )


def _kick_relay() -> None:
    try:
        relay_outbox.delay()
    except Exception:  # broker down: the periodic relay delivers; the rows are committed
        logger.warning("clocks: could not reach the broker; the periodic relay will deliver", exc_info=True)


def _sweep_batch(*, now: datetime, batch_size: int, seniors: list[str], result: SweepResult) -> int:
    with transaction.atomic():
        clocks = _claim(now=now, batch_size=batch_size)
        if not clocks:
            return 0
        batch = _Batch(now=now)
        for clock in clocks:
            p = plan(
                obligation=clock.obligation,
                started_at=clock.started_at,
                due_at=clock.due_at,
                jurisdiction=clock.jurisdiction,
                reminder_level=clock.reminder_level,
                escalation_level=clock.escalation_level,
                now=now,
            )
            if p.reminder is not None:
                _remind(batch, clock, p.reminder)
                result.reminders += 1
            for level in p.escalations:
                _escalate(batch, clock, level, seniors)
                result.escalations += 1
                result.by_level[level] = result.by_level.get(level, 0) + 1
            clock.reminder_level = p.reminder_level
            if p.escalations:
                clock.escalation_level = p.escalations[-1]
                clock.status = ClockStatus.MISSED
            clock.next_action_at = p.next_action_at
        _flush(batch, clocks)
        result.messages += len(batch.messages)
        moved: set[int] = set()
        for clock in batch.investigations:
            if clock.complaint_id in moved:
                continue
            moved.add(clock.complaint_id)
            reason = (
                f"{clock.agency.name_en if clock.agency else 'The agency'} missed its deadline to "
                f"{_label(clock.obligation).lower()} (due {_fmt(clock.due_at, clock.jurisdiction)}) through every "
                "escalation level: the case moves to investigation with the agency recorded in default."
            )
            try:
                with transaction.atomic():  # a refusal must not undo (or block) the rest of the batch
                    # The lifecycle's own entry point, so its effects run (clocks stop, citizen told).
                    transition(
                        complaint_id=clock.complaint_id,
                        action=Action.OPEN_INVESTIGATION,
                        actor=Actor.system(),
                        now=now,
                        message=reason,
                        changes={"agency_in_default": True},
                        data={"agency_in_default": True},
                    )
            except (ServiceError, TransitionError) as exc:
                logger.warning("clocks: level 3 could not move case %s: %s", clock.complaint_id, exc)
                case_event_record(
                    complaint=clock.complaint,
                    actor=Actor.system(),
                    kind=CaseEventKind.CLOCK_ESCALATION_BLOCKED,
                    now=now,
                    message=f"Level 3 could not move the case to investigation: {exc}",
                    data=_event_data(clock, level=3),
                )
            else:
                result.investigations += 1
    result.batches += 1
    result.claimed += len(clocks)
    return len(clocks)


def clock_sweep(*, now: datetime, batch_size: int = SWEEP_BATCH_SIZE, max_batches: int | None = None) -> SweepResult:
    """Remind and escalate every clock that is due at `now`, batch by batch, each batch one
    transaction. Safe to run twice at once (SKIP LOCKED), twice in a row (each level is recorded
    once: `ClockNotice` is unique per clock, kind and level) and hours late (it catches up: all the
    levels now due, in order, and no stale reminders)."""
    if batch_size < 1:
        raise ServiceError("batch_size must be at least 1.", field="batch_size")
    result = SweepResult()
    seniors = _senior_officer_emails()
    while max_batches is None or result.batches < max_batches:
        if not _sweep_batch(now=now, batch_size=batch_size, seniors=seniors, result=result):
            break
    if result.messages:
        # One relay run for the whole sweep (the periodic relay covers a sweep killed midway).
        _kick_relay()
    return result
