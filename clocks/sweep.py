"""The sweep: every due clock gets its reminders and escalation levels, batch by batch, each batch
one transaction; at the last level a missed referral moves the case to investigation through the
lifecycle (`complaints.lifecycle.transition`, so its effects run). Who is told, and what, is
`clocks.notify`; when each step is due is `clocks.policy`.

Locks: a batch claims its due clocks *and* their complaints in one `SELECT ... FOR UPDATE SKIP
LOCKED OF clock, complaint`. That is the one place clocks are locked without `lock_case` first,
and it is safe because the claim never waits: a clock whose row or case someone holds is skipped
and picked up by the next sweep. Everything the batch locks afterwards belongs to cases it already
holds (the level-3 move's `transition` calls `lock_case` on a complaint this transaction locked,
then its effects lock that case's other clocks), and every other writer must take the case first;
so the sweep never waits on a writer that waits on it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.db.models import QuerySet
from django.db.models.fields import AutoFieldMixin

from complaints.lifecycle import case_event_record, case_events_build, transition
from complaints.models import CaseEvent
from complaints.transitions import Action, Status, TransitionError
from kernel.actors import Actor
from kernel.errors import ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from outbox.models import OutboxMessage
from outbox.services import relay_kick

from .models import SWEEPABLE_STATUSES, Clock, ClockNotice, ClockStatus, NoticeKind
from .notify import LEVEL_TEXT, escalation_messages, reminder_messages, senior_officer_emails
from .policy import ESCALATION_POLICY, Level3Action, plan
from .timeline import event_data, label, local_time, owed_by_another_agency, visibility_for

logger = logging.getLogger(__name__)

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
    """Everything one batch writes, flushed with one INSERT (or COPY) per table."""

    now: datetime
    notices: list[ClockNotice] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)  # built by outbox.services' row builders
    investigations: list[Clock] = field(default_factory=list)


def next_action_after_change(clock: Clock, now: datetime) -> datetime | None:
    """When the sweep next has something to do for a clock whose due time just changed (resumed,
    extended): now, if a reminder or escalation is already due, else the policy's next step."""
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


def _remind(batch: _Batch, clock: Clock, level: int) -> None:
    complaint = clock.complaint
    due = local_time(clock.due_at, clock.jurisdiction)
    messages, to_whom = reminder_messages(clock, level, now=batch.now)
    batch.messages.extend(messages)
    batch.notices.append(ClockNotice(clock=clock, kind=NoticeKind.REMINDER, level=level, created_at=batch.now))
    batch.events.append(
        {
            "complaint": complaint,
            "kind": CaseEventKind.CLOCK_REMINDER,
            "message": f"Reminder {level} to {to_whom}: {label(clock.obligation)} is due by {due}.",
            "data": event_data(clock, level=level),
            "visibility": visibility_for(clock),
        }
    )


def _escalate(batch: _Batch, clock: Clock, level: int, seniors: list[str]) -> None:
    """Escalation `level`: its messages, its notice, its timeline event, and at level 3 what the
    obligation's policy does (a referral's clocks move the case to investigation)."""
    complaint = clock.complaint
    due = local_time(clock.due_at, clock.jurisdiction)
    agency = clock.agency
    policy = ESCALATION_POLICY[clock.obligation]
    batch.messages.extend(escalation_messages(clock, level, seniors=seniors, now=batch.now))
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
            "message": f"{label(clock.obligation)}: missed (due {due}). Escalation level {level}: {action}.",
            "data": event_data(clock, level=level),
            "visibility": Visibility.AGENCY
            if agency is not None and level < 3 and not owed_by_another_agency(clock)
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
                f"{label(clock.obligation).lower()} (due {local_time(clock.due_at, clock.jurisdiction)}) through every "
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
                    data=event_data(clock, level=3),
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
    seniors = senior_officer_emails()
    while max_batches is None or result.batches < max_batches:
        if not _sweep_batch(now=now, batch_size=batch_size, seniors=seniors, result=result):
            break
    if result.messages:
        # One relay run for the whole sweep (the periodic relay covers a sweep killed midway).
        relay_kick()
    return result
