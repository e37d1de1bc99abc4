"""How every write to a case happens: one lock order, the transition table, the timeline event,
and the transition effects other apps register (house rules 2-4).

    lock_case(complaint_id)          the complaint row first, always; child rows after it, in
                                     primary-key order (lock_rows)
    transition(...)                  a status transition: lock, party check, table, registered
                                     guards, save with update_fields, timeline event, effects
    step_begin(...) / step_record()  a step that keeps the status (acknowledge, sign, confirm an
                                     order...): the same checks, then the caller's own writes,
                                     then the event and the effects

The lifecycle knows nothing of the apps that react to it. Each app says what a step does to it in
its own `effects.py`, with the `@effect` and `@guard` decorators below; `ComplaintsConfig.ready()`
imports every installed app's `effects` module (Django's autodiscover, as the admin does).
Effects run inside the caller's transaction, ordered by phase and then by app order in
INSTALLED_APPS, so a refusal anywhere rolls the whole step back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum
from typing import Any, TypeVar

from django.db import models, transaction

from kernel.actors import Actor
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

from . import parties
from .models import CaseEvent, Complaint
from .transitions import TERMINAL_STATUSES, Action, Status, TransitionError, check

M = TypeVar("M", bound=models.Model)


# --- locks ------------------------------------------------------------------------------------


def lock_case(complaint_id: int) -> Complaint:
    """Lock the complaint row (SELECT ... FOR UPDATE) and return it. Every write that touches a
    case calls this first, before locking any child row, so two writers never wait on each other
    in opposite orders. Must run inside `transaction.atomic()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case() must run inside transaction.atomic()")
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("citizen", "citizen__user", "filed_by", "respondent")
        .get(pk=complaint_id)
    )


def lock_rows(queryset: models.QuerySet[M]) -> list[M]:
    """Lock child rows of a case (after `lock_case`) in primary-key order."""
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


def complaint_id_of(model: type[models.Model], pk: int) -> int:
    """The case a child row belongs to, read without a lock (so the case can be locked first)."""
    value = model._default_manager.filter(pk=pk).values_list("complaint_id", flat=True).first()
    if value is None:
        raise model.DoesNotExist(f"No {model._meta.verbose_name} {pk}.")  # type: ignore[attr-defined]
    return int(value)


# --- the timeline -----------------------------------------------------------------------------


def case_event_record(
    *,
    complaint: Complaint,
    actor: Actor,
    kind: CaseEventKind | str,
    now: datetime,
    message: str = "",
    data: dict[str, Any] | None = None,
    visibility: Visibility | str = Visibility.INTERNAL,
    from_status: str = "",
    to_status: str = "",
) -> CaseEvent:
    """Append one event to the case's timeline (the only way events are written one at a time)."""
    return CaseEvent.objects.create(
        **_event_fields(complaint, actor, now),
        kind=CaseEventKind(kind).value,
        from_status=from_status,
        to_status=to_status,
        message=message,
        data=data or {},
        visibility=visibility,
    )


def case_events_build(*, actor: Actor, now: datetime, events: Iterable[Mapping[str, Any]]) -> list[CaseEvent]:
    """Unsaved events for one actor and time (the clock sweep inserts them in bulk): each item
    has `complaint`, `kind` and optionally `message`, `data`, `visibility`."""
    return [
        CaseEvent(
            **_event_fields(e["complaint"], actor, now),
            kind=CaseEventKind(e["kind"]).value,
            message=e.get("message", ""),
            data=e.get("data") or {},
            visibility=e.get("visibility", Visibility.INTERNAL),
        )
        for e in events
    ]


def case_events_insert(*, actor: Actor, now: datetime, events: Iterable[Mapping[str, Any]]) -> list[CaseEvent]:
    """`case_events_build` and one INSERT for them all (a step that writes many events at once)."""
    return CaseEvent.objects.bulk_create(case_events_build(actor=actor, now=now, events=events))


def _event_fields(complaint: Complaint, actor: Actor, now: datetime) -> dict[str, Any]:
    return {
        "complaint": complaint,
        "created_at": now,
        "actor_kind": actor.kind.value,
        "actor_user": actor.user,
        "actor_agency": actor.agency,
        "actor_label": actor.display[:200],
    }


# --- transition effects -----------------------------------------------------------------------


class Phase(IntEnum):
    """When an effect runs, relative to the others registered for the same action."""

    STATE = 10  # other apps' own state follows the case (clocks start, are met, are cancelled)
    DERIVED = 50  # work that reads that state (orders from an agency's correction, registers)
    NOTIFY = 90  # messages to people and agencies (outbox), once everything else is written


@dataclass(frozen=True)
class Step:
    """What is happening to a case, as guards and effects see it."""

    complaint: Complaint  # locked; after the change for effects
    action: Action
    actor: Actor
    now: datetime
    source: Status  # the status before
    event: CaseEvent | None = None  # the timeline event (effects only)
    params: Mapping[str, Any] = field(default_factory=dict)  # step-specific values, named per action


Hook = Callable[[Step], None]
_EFFECTS: dict[Action, list[tuple[int, int, Hook]]] = defaultdict(list)
_GUARDS: dict[Action, list[Hook]] = defaultdict(list)
_counter = 0


def effect(*actions: Action, phase: Phase) -> Callable[[Hook], Hook]:
    """Register `fn(step)` to run after each of `actions`, in the same transaction."""

    def register(fn: Hook) -> Hook:
        global _counter
        for action in actions:
            if all(f is not fn for _p, _n, f in _EFFECTS[action]):
                _counter += 1
                _EFFECTS[action].append((int(phase), _counter, fn))
                _EFFECTS[action].sort(key=lambda item: (item[0], item[1]))
        return fn

    return register


def guard(*actions: Action) -> Callable[[Hook], Hook]:
    """Register `fn(step)` to run before each of `actions`; it refuses by raising ServiceError."""

    def register(fn: Hook) -> Hook:
        for action in actions:
            if fn not in _GUARDS[action]:
                _GUARDS[action].append(fn)
        return fn

    return register


def effects_of(action: Action) -> list[Hook]:
    """The effects registered for `action`, in the order they run (docs and tests)."""
    return [fn for _p, _n, fn in _EFFECTS[action]]


def guards_of(action: Action) -> list[Hook]:
    return list(_GUARDS[action])


def _run(hooks: Iterable[Hook], step: Step) -> None:
    for hook in hooks:
        hook(step)


# --- applying the table -----------------------------------------------------------------------


def transition(
    *,
    complaint_id: int,
    action: Action,
    actor: Actor,
    now: datetime,
    message: str = "",
    data: dict[str, Any] | None = None,
    visibility: Visibility = Visibility.PARTIES,
    changes: dict[str, Any] | None = None,
    prepare: Callable[[Complaint], Mapping[str, Any] | None] | None = None,
    params: Mapping[str, Any] | None = None,
) -> tuple[Complaint, CaseEvent]:
    """Apply a status transition to one case. Must run inside `transaction.atomic()`.

    `prepare(complaint)` runs after the checks, before the save: it refuses with ServiceError on
    the case's data, or writes the rows the transition brings (an agency's answer) and returns
    them as extra `params` for the effects."""
    complaint = lock_case(complaint_id)
    parties.check_may_act(complaint, actor)
    source = complaint.status_enum
    target = check(source, action, actor.kind)
    if target is None:
        raise TransitionError(f"{action.value} is a step, not a transition.", action=action, status=source)
    pending = Step(complaint=complaint, action=action, actor=actor, now=now, source=source, params=params or {})
    _run(_GUARDS[action], pending)
    if prepare is not None:
        pending = replace(pending, params={**pending.params, **(prepare(complaint) or {})})
    complaint.status = target.value
    complaint.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    for name, value in (changes or {}).items():
        setattr(complaint, name, value)
        fields.append(name)
    closed_at = now if target in TERMINAL_STATUSES else None
    if complaint.closed_at != closed_at:
        complaint.closed_at = closed_at
        fields.append("closed_at")
    complaint.save(update_fields=fields)
    event = case_event_record(
        complaint=complaint,
        actor=actor,
        kind=CaseEventKind(action.value),
        now=now,
        message=message,
        data=data,
        visibility=visibility,
        from_status=source.value,
        to_status=target.value,
    )
    _run(effects_of(action), replace(pending, event=event))
    return complaint, event


def step_begin(*, complaint_id: int, action: Action, actor: Actor, agency_id: int | None = None) -> Complaint:
    """Lock the case and check that `actor` may take the step `action` now. `agency_id` is the
    agency the step belongs to when it is not the respondent (an information request or a
    correction order sent to a recipient of the data)."""
    complaint = lock_case(complaint_id)
    parties.check_may_act(complaint, actor, agency_id=agency_id)
    check(complaint.status_enum, action, actor.kind)
    return complaint


def step_record(
    *,
    complaint: Complaint,
    action: Action,
    actor: Actor,
    now: datetime,
    kind: CaseEventKind | None,
    message: str = "",
    data: dict[str, Any] | None = None,
    visibility: Visibility = Visibility.PARTIES,
    changes: dict[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> CaseEvent | None:
    """After `step_begin` and the step's own writes: save the case's changed fields, write the
    timeline event (unless `kind` is None) and run the step's guards and effects."""
    step = Step(
        complaint=complaint, action=action, actor=actor, now=now, source=complaint.status_enum, params=params or {}
    )
    _run(_GUARDS[action], step)
    fields = ["updated_at"]
    for name, value in (changes or {}).items():
        setattr(complaint, name, value)
        fields.append(name)
    complaint.save(update_fields=fields)
    event = None
    if kind is not None:
        event = case_event_record(
            complaint=complaint, actor=actor, kind=kind, now=now, message=message, data=data, visibility=visibility
        )
    _run(effects_of(action), replace(step, event=event))
    return event
