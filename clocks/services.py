"""Writes to legal clocks (house rules 1-2, 6): start, meet, cancel, pause, resume, extend, and
configuring an agency's regime. Time is always an argument. What each case step does to clocks is
`clocks.effects`; the reminders and escalations are `clocks.sweep`; rule reads are `clocks.rules`.

Lock order, everywhere: `complaints.lifecycle.lock_case` (the complaint row) first, then the
clock rows (one, or several in primary-key order), then a clock's pause row. Only the sweep
differs: it claims clocks and their complaints together with SKIP LOCKED (see `clocks.sweep`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction

from agencies.models import Agency
from complaints.lifecycle import case_events_insert, lock_case, lock_rows
from complaints.models import Complaint
from kernel.actors import Actor, ActorKind
from kernel.errors import Conflict, NotAllowed, ServiceError
from kernel.events import CaseEventKind

from . import calendar as cal
from .models import (
    ACTIVE_STATUSES,
    AgencyClockRegime,
    Clock,
    ClockPause,
    ClockRule,
    ClockStatus,
    ExtensionPrecondition,
    Obligation,
    OwedBy,
)
from .notify import notify_extension
from .policy import first_action_at
from .rules import (
    AGENCY_OBLIGATIONS,
    REFERRAL_OBLIGATIONS,
    extension_due,
    jurisdiction_for,
    owed_by_default,
    rule_code_for,
    rule_code_of_regime,
    rule_current,
    rule_prefix,
)
from .selectors import clock_consumer_information_at
from .sweep import next_action_after_change
from .timeline import clock_event_record, duration, event_data, label, local_time, visibility_for

# --- regimes ----------------------------------------------------------------------------------


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


# --- guards ---------------------------------------------------------------------------------


def _lock_clock(clock_id: int) -> Clock:
    """Lock the clock's complaint, then the clock (the global lock order)."""
    complaint_id = Clock.objects.filter(pk=clock_id).values_list("complaint_id", flat=True).first()
    if complaint_id is None:
        raise Conflict(f"There is no clock {clock_id}.", field="clock_id", code="no_clock")
    lock_case(complaint_id)
    # OF self: the complaint is locked already, and the rule row must never be (clocks share it).
    return Clock.objects.select_for_update(of=("self",)).select_related("rule", "complaint").get(pk=clock_id)


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
        owed_by = owed_by_default(obligation=obligation, agency=agency)
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
        jurisdiction = jurisdiction_for(rule, agency, locked)
        received = cal.local_date(jurisdiction, now)
        due = cal.compute_due(rule.period, received, jurisdiction)
        due_at = cal.end_of_day(jurisdiction, due.due)
        explanation = (
            f"{label(obligation)}: "
            + rule_prefix(rule, jurisdiction)
            + due.explanation
            + f" The clock runs out at {local_time(due_at, jurisdiction)}."
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
        clock_event_record(clock, CaseEventKind.CLOCK_STARTED, actor=actor, now=now, message=explanation)
    return clock


def clocks_start_for_agencies(
    *, complaint: Complaint, obligation: str, duties: list[tuple[Agency, str]], now: datetime, actor: Actor
) -> dict[str, Clock]:
    """`clock_start` for many agencies at once (a determination's correction orders), in a number
    of queries that does not grow with the agencies: `duties` are (agency, subject key) pairs;
    the answer maps each subject key to its clock (a clock already running is returned as it is).
    The caller holds the case lock."""
    if obligation not in AGENCY_OBLIGATIONS:
        raise ServiceError(f"{obligation!r} is not an agency obligation.", field="obligation")
    if not duties:
        return {}
    if any(len(key) > 100 for _agency, key in duties):
        raise ServiceError("The subject key is at most 100 characters.", field="subject_key")
    regimes = {
        r.agency_id: r
        for r in AgencyClockRegime.objects.filter(agency__in=[a.pk for a, _k in duties], obligation=obligation)
    }
    codes = {
        a.pk: rule_code_of_regime(regimes.get(a.pk), obligation=obligation, urgent=complaint.urgent) for a, _k in duties
    }
    rules: dict[str, ClockRule] = {}
    for rule in ClockRule.objects.filter(code__in=set(codes.values()), active=True).order_by("code", "-version"):
        rules.setdefault(rule.code, rule)
    for code in set(codes.values()) - set(rules):
        rules[code] = rule_current(code=code)  # missing seed reloaded, or ServiceError
    existing = {
        (c.agency_id, c.subject_key): c
        for c in Clock.objects.filter(
            complaint=complaint,
            obligation=obligation,
            owed_by=OwedBy.AGENCY,
            subject_key__in=[k for _a, k in duties],
            status__in=ACTIVE_STATUSES,
        ).select_related("rule")
    }
    out: dict[str, Clock] = {}
    new: list[Clock] = []
    for agency, key in duties:
        if (agency.pk, key) in existing:
            out[key] = existing[(agency.pk, key)]
            continue
        rule = rules[codes[agency.pk]]
        jurisdiction = jurisdiction_for(rule, agency, complaint)
        received = cal.local_date(jurisdiction, now)
        due = cal.compute_due(rule.period, received, jurisdiction)
        due_at = cal.end_of_day(jurisdiction, due.due)
        explanation = (
            f"{label(obligation)}: "
            + rule_prefix(rule, jurisdiction)
            + due.explanation
            + f" The clock runs out at {local_time(due_at, jurisdiction)}."
        )
        clock = Clock(
            complaint=complaint,
            obligation=obligation,
            owed_by=OwedBy.AGENCY,
            agency=agency,
            subject_key=key,
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
        new.append(clock)
        out[key] = clock
    Clock.objects.bulk_create(new)
    case_events_insert(
        actor=actor,
        now=now,
        events=[
            {
                "complaint": complaint,
                "kind": CaseEventKind.CLOCK_STARTED,
                "message": clock.explanation,
                "data": event_data(clock),
                "visibility": visibility_for(clock),
            }
            for clock in new
        ],
    )
    return out


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
    owed_by: str | None = None,
) -> Clock:
    """The party did what it owed. Meeting a met clock is a no-op; a clock that does not exist
    (or was cancelled) is a Conflict. `owed_by` picks one party's clock where both the citizen
    and the agency owe the same obligation (comments on a provisional decision)."""
    with transaction.atomic():
        lock_case(complaint_id)
        qs = Clock.objects.select_for_update(of=("self",)).filter(
            complaint_id=complaint_id, obligation=obligation, subject_key=subject_key
        )
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
        if owed_by is not None:
            qs = qs.filter(owed_by=owed_by)
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
        clock_event_record(
            clock,
            CaseEventKind.CLOCK_MET,
            actor=actor,
            now=now,
            message=f"{label(obligation)}: met {'late' if late else 'on time'} ({local_time(now, clock.jurisdiction)}; "
            f"due {local_time(clock.due_at, clock.jurisdiction)}).",
            late=late,
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
    clock_event_record(
        clock,
        CaseEventKind.CLOCK_CANCELLED,
        actor=actor,
        now=now,
        message=f"{label(clock.obligation)}: clock cancelled. {reason}",
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
        qs = Clock.objects.select_related("complaint", "rule").filter(
            complaint_id=complaint_id, status__in=list(statuses)
        )
        if obligations is not None:
            qs = qs.filter(obligation__in=list(obligations))
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
        if exclude_agency_id is not None:
            qs = qs.exclude(agency_id=exclude_agency_id)
        clocks = lock_rows(qs)  # in primary-key order, after the case
        for clock in clocks:
            _cancel_locked(clock, reason=reason, now=now, actor=actor)
    return clocks


def clock_meet_if_running(*, complaint: Complaint, obligation: str, actor: Actor, now: datetime) -> None:
    """Meet the respondent's clock for `obligation` if the referral started one (rules decide which)."""
    if Clock.objects.filter(complaint=complaint, obligation=obligation, agency_id=complaint.respondent_id).exists():
        clock_meet(
            complaint_id=complaint.pk, obligation=obligation, now=now, actor=actor, agency_id=complaint.respondent_id
        )


def clocks_meet_for_complaint(
    *, complaint_id: int, obligations: Iterable[str], now: datetime, actor: Actor, agency_id: int | None = None
) -> list[Clock]:
    """Meet the running clocks of these obligations (e.g. an agency's answer meets acknowledge,
    mark disputed and respond at once). Missing clocks are skipped, not an error. The case is
    locked first; `clock_meet` then locks each clock, in primary-key order."""
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
        clock_event_record(
            clock,
            CaseEventKind.CLOCK_PAUSED,
            actor=actor,
            now=now,
            message=f"{label(clock.obligation)}: clock paused. {reason}",
            reason=reason,
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
            f" Paused from {local_time(started, clock.jurisdiction)} to {local_time(now, clock.jurisdiction)} "
            f"({duration(paused)}); "
            f"the clock now runs out at {local_time(clock.due_at, clock.jurisdiction)}."
        )
        clock.explanation += note
        clock.next_action_at = next_action_after_change(clock, now)
        clock.save(update_fields=["due_at", "paused_seconds", "status", "paused_at", "explanation", "next_action_at"])
        clock_event_record(
            clock,
            CaseEventKind.CLOCK_RESUMED,
            actor=actor,
            now=now,
            message=f"{label(clock.obligation)}: clock resumed.{note}",
            paused_seconds=int(paused.total_seconds()),
        )
    return clock


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
        info_at = consumer_information_at
        if info_at is None and rule.extension_precondition == ExtensionPrecondition.CONSUMER_INFORMATION_WITHIN_PERIOD:
            info_at = clock_consumer_information_at(clock=clock, now=now)
        due, new_due_at, basis = extension_due(clock=clock, now=now, consumer_information_at=info_at)
        note = (
            f" Extended by {ext.describe()} ({basis}; reason: {reason}): {due.explanation} The clock now runs out at "
            f"{local_time(new_due_at, clock.jurisdiction)}."
        )
        clock.due_on = due.due
        clock.due_at = new_due_at
        clock.extended_at = now
        clock.extension_reason = reason
        clock.explanation += note
        fields = ["due_on", "due_at", "extended_at", "extension_reason", "explanation"]
        if clock.status == ClockStatus.OPEN:
            clock.next_action_at = next_action_after_change(clock, now)
            fields.append("next_action_at")
        clock.save(update_fields=fields)
        clock_event_record(
            clock,
            CaseEventKind.CLOCK_EXTENDED,
            actor=actor,
            now=now,
            message=f"{label(clock.obligation)}: deadline extended.{note}",
            reason=reason,
        )
        notify_extension(clock=clock, note=note, now=now)
    return clock


def clocks_stop_for_investigation(*, complaint_id: int, now: datetime, actor: Actor) -> None:
    """The case left the agency's hands: its pending referral clocks are cancelled; missed ones
    stay missed (the record of default) but stop escalating."""
    with transaction.atomic():
        lock_case(complaint_id)
        clocks_cancel_for_complaint(
            complaint_id=complaint_id,
            reason="The case moved to investigation.",
            now=now,
            actor=actor,
            obligations=REFERRAL_OBLIGATIONS,
            statuses=(ClockStatus.OPEN, ClockStatus.PAUSED),
        )
        missed = lock_rows(
            Clock.objects.filter(
                complaint_id=complaint_id, obligation__in=REFERRAL_OBLIGATIONS, status=ClockStatus.MISSED
            )
        )
        Clock.objects.filter(pk__in=[c.pk for c in missed]).update(next_action_at=None)
