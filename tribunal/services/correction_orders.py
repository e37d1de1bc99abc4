"""Correction orders: one agency's duty to carry out a correction, sent to the holder of the record
and to every agency the record travelled to (tribunal/propagation.py).

    from a determination     correction_orders_for_determination (inside determination_sign);
                             pending orders from the holder's own correction are superseded
    from an agency's own     agency_response_recorded (a transition effect of the agency's answer,
    correction               tribunal/effects.py): the holder's recipients must follow it
    confirming / waiving     correction_order_confirm (the agency, with evidence),
                             correction_order_waive (a senior officer, with a reason)
    closing                  when the last order of a case in compliance is done, the case closes

Each order has a legal clock (obligation `compliance`). Lock order (complaints.lifecycle): the
case first (`step_begin`), then the order rows in primary-key order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from citizens import services as citizen_services
from complaints import services as complaint_services
from complaints.lifecycle import case_event_record, case_events_insert, lock_rows, step_begin, step_record
from complaints.models import AgencyOutcome, AgencyResponse, Complaint
from complaints.remedies import RECORD_REMEDIES, Remedy
from complaints.transitions import Action, Status
from kernel.actors import Actor
from kernel.errors import Conflict
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from outbox.services import outbox_bulk, outbox_webhook_row

from .. import selectors
from ..models import CorrectionOrder, CorrectionTrigger, Determination, OrderStatus
from ..propagation import Reach, paths_to, propagate
from ..remedies import check_evidence, kinds_of
from ._shared import duty_clock_cancel, duty_clock_meet, duty_clocks_start, origin_record, text
from .registers import criteria_disclosure_record, validated_criteria
from .reinsertion import deletion_watch_start

OBLIGATION = "compliance"


# --- issuing orders ---------------------------------------------------------------------------


def correction_orders_for_determination(
    *, determination: Determination, complaint: Complaint, actor: Actor, now: datetime
) -> list[CorrectionOrder]:
    """The orders of a determination being signed (called by `determination_sign`, in its
    transaction, after the case lock). The respondent carries out every remedy; each agency the
    record reached carries out those that change the record."""
    det = determination
    if not det.remedies:
        return []
    _supersede_self_correction_orders(complaint, det, actor=actor, now=now)
    record_actions = [r for r in det.remedies if r["kind"] in RECORD_REMEDIES]
    reaches = _reaches(complaint, record_actions, now=now)
    return _create_orders(
        complaint=complaint,
        origin=complaint.respondent,
        reaches=reaches,
        origin_actions=list(det.remedies),
        recipient_actions=record_actions,
        trigger=CorrectionTrigger.DETERMINATION,
        determination=det,
        agency_response=None,
        actor=actor,
        now=now,
    )


def agency_response_recorded(*, response: AgencyResponse, actor: Actor, now: datetime) -> list[CorrectionOrder]:
    """After an agency's answer (tribunal/effects.py, inside the answer's transition): disclosed
    scoring criteria go to the public register; a `corrected` or `deleted` outcome is propagated
    to every recipient of the record (the holder itself has already acted)."""
    if response.scoring_criteria:
        criteria_disclosure_record(
            agency=response.agency,
            criteria=validated_criteria(response.scoring_criteria, field="scoring_criteria", required=True),
            now=now,
            source_response=response,
        )
    if response.outcome not in (AgencyOutcome.CORRECTED, AgencyOutcome.DELETED):
        return []
    complaint = Complaint.objects.select_related(
        "citizen", "respondent", "blacklist_entry__category", "score_record"
    ).get(pk=response.complaint_id)
    actions = _actions_of_answer(response)
    category, _ref = origin_record(complaint)
    adjacency = selectors.sharing_adjacency(category_id=category.pk if category else None, on=now.date())
    reaches = propagate(response.agency_id, adjacency, include_origin=False)
    if not reaches:
        if response.outcome == AgencyOutcome.DELETED:
            deletion_watch_start(complaint=complaint, agencies=[response.agency], now=now)
        return []
    return _create_orders(
        complaint=complaint,
        origin=response.agency,
        reaches=reaches,
        origin_actions=actions,
        recipient_actions=actions,
        trigger=CorrectionTrigger.AGENCY_CORRECTION,
        determination=None,
        agency_response=response,
        actor=actor,
        now=now,
    )


def _actions_of_answer(response: AgencyResponse) -> list[dict[str, Any]]:
    """What the holder did, as the actions its recipients must repeat."""
    if response.outcome == AgencyOutcome.DELETED:
        return [{"kind": Remedy.DELETE.value}]
    fields = [
        {"kind": Remedy.CORRECT.value, "field": c["field"], "new_value": c.get("new_value")}
        for c in response.corrections
        if isinstance(c, dict) and isinstance(c.get("field"), str) and c["field"]
    ]
    return fields or [
        {
            "kind": Remedy.CORRECT.value,
            "field": "record",
            "new_value": "corrected",
            "detail": response.explanation[:2000],
        }
    ]


def _create_orders(
    *,
    complaint: Complaint,
    origin: Agency,
    reaches: list[Reach[int]],
    origin_actions: list[dict[str, Any]],
    recipient_actions: list[dict[str, Any]],
    trigger: str,
    determination: Determination | None,
    agency_response: AgencyResponse | None,
    actor: Actor,
    now: datetime,
) -> list[CorrectionOrder]:
    # In bulk: the queries do not grow with the agencies the record reached (orders, clocks,
    # timeline events and webhooks are one statement each).
    category, record_ref = origin_record(complaint)
    agencies = Agency.objects.in_bulk({r.agency for r in reaches} | {origin.pk})
    chains = paths_to(reaches)
    planned: list[tuple[Reach[int], list[dict[str, Any]]]] = []
    for reach in reaches:
        actions = origin_actions if reach.agency == origin.pk else recipient_actions
        if actions:
            planned.append((reach, actions))
    orders = CorrectionOrder.objects.bulk_create(
        [
            CorrectionOrder(
                complaint=complaint,
                agency=agencies[reach.agency],
                trigger=trigger,
                determination=determination,
                agency_response=agency_response,
                received_via=agencies[reach.via] if reach.via is not None else None,
                path=[agencies[a].slug for a in chains[reach.agency]],
                depth=reach.depth,
                actions=actions,
                record_reference=record_ref,
                category=category,
                ordered_at=now,
                due_at=now,
            )
            for reach, actions in planned
        ]
    )
    if not orders:
        return orders
    clocks = duty_clocks_start(
        complaint=complaint,
        obligation=OBLIGATION,
        duties=[(order.agency, order.subject_key) for order in orders],
        now=now,
        actor=actor,
    )
    for order in orders:
        order.due_at = clocks[order.subject_key].due_at
    CorrectionOrder.objects.bulk_update(orders, ["due_at"])
    events = []
    for (reach, actions), order in zip(planned, orders, strict=True):
        via = f" (received the record from {agencies[reach.via].name_en})" if reach.via is not None else ""
        events.append(
            {
                "complaint": complaint,
                "kind": CaseEventKind.CORRECTION_ORDERED,
                "message": f"Correction order sent to {order.agency.name_en}{via}; due {order.due_at:%Y-%m-%d}.",
                "data": {
                    "order_id": order.pk,
                    "agency": order.agency.slug,
                    "depth": reach.depth,
                    "path": order.path,
                    "actions": [a["kind"] for a in actions],
                },
                "visibility": Visibility.CITIZEN,
            }
        )
    case_events_insert(actor=actor, now=now, events=events)
    _send_orders(orders, complaint=complaint, now=now, key="ordered")
    if Remedy.DELETE in kinds_of([*origin_actions, *recipient_actions]):
        deletion_watch_start(complaint=complaint, agencies=[origin, *(o.agency for o in orders)], now=now)
    return orders


def _send_orders(orders: list[CorrectionOrder], *, complaint: Complaint, now: datetime, key: str) -> None:
    """The `correction.ordered` webhook of each order (one statement for all)."""
    outbox_bulk(
        [
            outbox_webhook_row(
                agency_id=order.agency_id,
                event_type="correction.ordered",
                data=correction_order_payload(order),
                dedupe_key=f"correction_order:{order.pk}:{key}",
                now=now,
                complaint_id=complaint.pk,
            )
            for order in orders
        ]
    )


def _supersede_self_correction_orders(complaint: Complaint, det: Determination, *, actor: Actor, now: datetime) -> None:
    """Orders still pending from the holder's own correction are replaced by the determination's
    (so each agency has one order to carry out for the record, not two)."""
    pending = lock_rows(
        CorrectionOrder.objects.filter(
            complaint=complaint, trigger=CorrectionTrigger.AGENCY_CORRECTION, status=OrderStatus.ORDERED
        ).select_related("agency")
    )
    for order in pending:
        order.status = OrderStatus.SUPERSEDED
        order.save(update_fields=["status"])
        _order_ended(
            order,
            complaint=complaint,
            actor=actor,
            now=now,
            kind=CaseEventKind.CORRECTION_SUPERSEDED,
            clock_reason=f"Replaced by the order of determination {det.number}.",
            message=f"The earlier order to {order.agency.name_en} is replaced by determination {det.number}.",
        )


def _reaches(complaint: Complaint, record_actions: list[dict[str, Any]], *, now: datetime) -> list[Reach[int]]:
    """Who must act: the respondent, and every agency the record reached when the record changes."""
    origin = complaint.respondent
    if not record_actions:
        return [Reach(origin.pk, None, 0)]
    category, _ref = origin_record(complaint)
    adjacency = selectors.sharing_adjacency(category_id=category.pk if category else None, on=now.date())
    return propagate(origin.pk, adjacency)


def correction_orders_extended(
    *, complaint: Complaint, determination: Determination, added: list[dict[str, Any]], actor: Actor, now: datetime
) -> list[CorrectionOrder]:
    """After a review that varies the decision: the remedies it adds join each agency's pending
    order, or go out as a new order to an agency that had none. An agency that already carried
    out its order cannot be given more under the same decision (Conflict: set it aside instead)."""
    record_actions = [r for r in added if r["kind"] in RECORD_REMEDIES]
    reaches = _reaches(complaint, record_actions, now=now)
    existing = {o.agency_id: o for o in lock_rows(CorrectionOrder.objects.filter(determination=determination))}
    fresh: list[Reach[int]] = []
    extended: list[CorrectionOrder] = []
    for reach in reaches:
        actions = added if reach.agency == complaint.respondent_id else record_actions
        order = existing.get(reach.agency)
        if not actions:
            continue
        if order is None:
            fresh.append(reach)
        elif order.status != OrderStatus.ORDERED:
            raise Conflict(
                _("An agency has already carried out its order: to order more, set the decision aside instead."),
                field="remedies",
            )
        else:
            order.actions = [*order.actions, *actions]
            order.save(update_fields=["actions"])
            extended.append(order)
    if extended:
        case_events_insert(
            actor=actor,
            now=now,
            events=[
                {
                    "complaint": complaint,
                    "kind": CaseEventKind.CORRECTION_ORDERED,
                    "message": f"The order to {o.agency.name_en} now also requires: "
                    + ", ".join(a["kind"] for a in o.actions)
                    + ".",
                    "data": {"order_id": o.pk, "agency": o.agency.slug, "actions": [a["kind"] for a in o.actions]},
                    "visibility": Visibility.CITIZEN,
                }
                for o in extended
            ],
        )
        _send_orders(extended, complaint=complaint, now=now, key=f"varied:{now.isoformat()}")
    created = (
        _create_orders(
            complaint=complaint,
            origin=complaint.respondent,
            reaches=fresh,
            origin_actions=added,
            recipient_actions=record_actions,
            trigger=CorrectionTrigger.DETERMINATION,
            determination=determination,
            agency_response=None,
            actor=actor,
            now=now,
        )
        if fresh
        else []
    )
    return [*extended, *created]


def correction_orders_narrowed(
    *,
    complaint: Complaint,
    determination: Determination,
    keep: list[dict[str, Any]],
    actor: Actor,
    now: datetime,
    reason: str,
    close_if_done: bool = True,
) -> None:
    """After a review: each pending order of the determination keeps only the actions still
    ordered (`keep`); an order left with none is superseded (its clock stops). A case in
    compliance whose last order this ends closes, unless `close_if_done` is False (set aside)."""
    pending = lock_rows(
        CorrectionOrder.objects.filter(determination=determination, status=OrderStatus.ORDERED).select_related("agency")
    )
    for order in pending:
        remaining = [a for a in order.actions if a in keep]
        if remaining == order.actions:
            continue
        if remaining:
            order.actions = remaining
            order.save(update_fields=["actions"])
            continue
        order.status = OrderStatus.SUPERSEDED
        order.save(update_fields=["status"])
        _order_ended(
            order,
            complaint=complaint,
            actor=actor,
            now=now,
            kind=CaseEventKind.CORRECTION_SUPERSEDED,
            clock_reason=reason,
            message=f"The order to {order.agency.name_en} is withdrawn. {reason}",
        )
    if close_if_done:
        _close_if_complete(complaint, now=now)


def _order_ended(
    order: CorrectionOrder,
    *,
    complaint: Complaint,
    actor: Actor,
    now: datetime,
    kind: CaseEventKind,
    clock_reason: str,
    message: str,
) -> None:
    """An order that will not be carried out (waived, superseded): stop its clock, say so on the timeline."""
    duty_clock_cancel(
        complaint_id=complaint.pk,
        obligation=OBLIGATION,
        agency_id=order.agency_id,
        subject_key=order.subject_key,
        now=now,
        actor=actor,
        reason=clock_reason,
    )
    case_event_record(
        complaint=complaint,
        actor=actor,
        kind=kind,
        now=now,
        message=message,
        data={"order_id": order.pk, "agency": order.agency.slug},
        visibility=Visibility.CITIZEN,
    )


def correction_order_payload(order: CorrectionOrder) -> dict[str, Any]:
    """The `correction.ordered` webhook's data."""
    complaint = order.complaint
    return {
        "id": order.pk,
        "case_reference": complaint.reference,
        "trigger": order.trigger,
        "determination": order.determination.number if order.determination else None,
        "status": order.status,
        "actions": order.actions,
        "record": {
            "holder": order.path[0] if order.path else order.agency.slug,
            "reference": order.record_reference,
            "category": order.category.code if order.category else None,
            "received_via": order.received_via.slug if order.received_via else None,
            "path": order.path,
        },
        "subject": {
            "full_name": complaint.citizen.full_name,
            "national_id_masked": complaint.citizen.national_id_masked,
        },
        "ordered_at": order.ordered_at.isoformat(),
        "due_at": order.due_at.isoformat(),
    }


# --- confirming, waiving, closing -------------------------------------------------------------


def correction_order_confirm(
    *,
    order_id: int,
    actor: Actor,
    evidence_before: dict[str, Any],
    evidence_after: dict[str, Any],
    now: datetime,
    note: str = "",
    scoring_criteria: list[dict[str, Any]] | None = None,
) -> CorrectionOrder:
    """The agency ordered confirms it carried out its order, with the record before and after.
    When every order of the case is done, the case closes."""
    note = text(note, field="note", required=False, limit=4000)
    with transaction.atomic():
        complaint_id, agency_id = _owner(order_id)
        complaint = step_begin(complaint_id=complaint_id, action=Action.CONFIRM_ORDER, actor=actor, agency_id=agency_id)
        order = _lock(order_id)
        _require_ordered(order)
        check_evidence(order.actions, evidence_before, evidence_after)
        criteria: list[dict[str, Any]] = []
        if Remedy.DISCLOSE_CRITERIA in kinds_of(order.actions):
            criteria = validated_criteria(scoring_criteria, field="scoring_criteria", required=True)
        order.status = OrderStatus.CONFIRMED
        order.confirmed_at = now
        order.confirmed_by_label = actor.display[:200]
        order.evidence_before = evidence_before
        order.evidence_after = evidence_after
        order.confirmation_note = note
        order.save(
            update_fields=[
                "status",
                "confirmed_at",
                "confirmed_by_label",
                "evidence_before",
                "evidence_after",
                "confirmation_note",
            ]
        )
        duty_clock_meet(
            complaint_id=complaint.pk,
            obligation=OBLIGATION,
            agency_id=order.agency_id,
            subject_key=order.subject_key,
            now=now,
            actor=actor,
        )
        if criteria:
            criteria_disclosure_record(agency=order.agency, criteria=criteria, now=now, source_order=order)
        _mirror_record_status(complaint, order, now=now, actor=actor)
        step_record(
            complaint=complaint,
            action=Action.CONFIRM_ORDER,
            actor=actor,
            now=now,
            kind=CaseEventKind.CORRECTION_CONFIRMED,
            message=f"{order.agency.name_en} confirmed it carried out the correction." + (f" {note}" if note else ""),
            data={"order_id": order.pk, "agency": order.agency.slug},
            visibility=Visibility.CITIZEN,
        )
        _close_if_complete(complaint, now=now)
    return order


def _mirror_record_status(complaint: Complaint, order: CorrectionOrder, *, now: datetime, actor: Actor) -> None:
    """Keep the ombudsman's copy of the respondent's entry in step with what it confirmed."""
    entry = complaint.blacklist_entry
    if entry is None or order.depth != 0 or entry.agency_id != order.agency_id:
        return
    kinds = kinds_of(order.actions)
    if Remedy.DELETE not in kinds and not kinds & {Remedy.CORRECT, Remedy.LIFT_SANCTION, Remedy.ANNOTATE}:
        return
    citizen_services.record_apply_correction(
        entry_id=entry.pk,
        delete=Remedy.DELETE in kinds,
        lifted_sanctions=[a["sanction"] for a in order.actions if a["kind"] == Remedy.LIFT_SANCTION],
        now=now,
        actor=actor,
    )


def correction_order_waive(*, order_id: int, actor: Actor, reason: str, now: datetime) -> CorrectionOrder:
    """A senior officer formally waives an order, with a reason (e.g. the agency proved it never
    received the record)."""
    reason = text(reason, field="reason", limit=4000)
    with transaction.atomic():
        complaint_id, agency_id = _owner(order_id)
        complaint = step_begin(complaint_id=complaint_id, action=Action.WAIVE_ORDER, actor=actor, agency_id=agency_id)
        order = _lock(order_id)
        _require_ordered(order)
        order.status = OrderStatus.WAIVED
        order.waived_by = actor.user
        order.waived_at = now
        order.waiver_reason = reason
        order.save(update_fields=["status", "waived_by", "waived_at", "waiver_reason"])
        _order_ended(
            order,
            complaint=complaint,
            actor=actor,
            now=now,
            kind=CaseEventKind.CORRECTION_WAIVED,
            clock_reason=f"Order waived: {reason}",
            message=f"The order to {order.agency.name_en} was waived: {reason}",
        )
        step_record(complaint=complaint, action=Action.WAIVE_ORDER, actor=actor, now=now, kind=None)
        _close_if_complete(complaint, now=now)
    return order


def _close_if_complete(complaint: Complaint, *, now: datetime) -> None:
    """Compliance ends with the last order done: the system closes the case. (Only a case in
    compliance closes this way: a case resolved by the citizen while the holder's recipients
    still act stays resolved. Whether CLOSE is allowed is still the table's and the guards' call.)"""
    if complaint.status_enum != Status.COMPLIANCE or selectors.pending_orders_exist(complaint.pk):
        return
    complaint_services.complaint_close(
        complaint_id=complaint.pk,
        actor=Actor.system(),
        now=now,
        note=_("Every correction order has been carried out or waived; the case is closed."),
    )


def _owner(order_id: int) -> tuple[int, int]:
    """The order's case and agency, read without a lock (neither ever changes), so that the case
    is locked first."""
    row = CorrectionOrder.objects.filter(pk=order_id).values_list("complaint_id", "agency_id").first()
    if row is None:
        raise CorrectionOrder.DoesNotExist(f"No correction order {order_id}.")
    return row


def _lock(order_id: int) -> CorrectionOrder:
    """The order row, locked after its case."""
    return lock_rows(CorrectionOrder.objects.filter(pk=order_id).select_related("complaint", "agency"))[0]


def _require_ordered(order: CorrectionOrder) -> None:
    if order.status != OrderStatus.ORDERED:
        raise Conflict(_("This order is already %(status)s.") % {"status": order.status}, field="status")
