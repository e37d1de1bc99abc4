"""From screening to the agency's answer: screening, referral, the agency's acknowledgement and
disputed marking, and its structured answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from citizens.services import record_mark_disputed
from kernel.actors import Actor
from kernel.errors import Conflict, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

from ..lifecycle import case_event_record, step_begin, step_record, transition
from ..models import AgencyOutcome, AgencyResponse, CaseEvent, Category, Complaint
from ..transitions import OPEN_STATUSES, Action, Status

URGENT_SANCTIONS = {"air_travel", "rail_travel", "schools", "employment"}


def _open_duplicate(complaint: Complaint) -> Complaint | None:
    if complaint.blacklist_entry_id is None and complaint.score_record_id is None:
        return None
    return (
        Complaint.objects.filter(
            citizen_id=complaint.citizen_id,
            blacklist_entry_id=complaint.blacklist_entry_id,
            score_record_id=complaint.score_record_id,
            status__in=[s.value for s in OPEN_STATUSES],
        )
        .exclude(pk=complaint.pk)
        .order_by("submitted_at")
        .first()
    )


def complaint_start_screening(*, complaint_id: int, actor: Actor, now: datetime) -> Complaint:
    """Check scope, duplicates, the record's category against the catalogue, and urgency."""
    with transaction.atomic():
        complaint = Complaint.objects.select_related("blacklist_entry__category").get(pk=complaint_id)
        entry = complaint.blacklist_entry
        duplicate = _open_duplicate(complaint)
        unlawful = bool(entry and not entry.category.lawful)
        derived = bool(entry and entry.derived_from_relative) or complaint.category == Category.DERIVED_FROM_RELATIVE
        findings = {
            "unlawful_category": unlawful,
            "derived_from_relative": derived,
            "duplicate_of": duplicate.reference if duplicate else None,
            "urgent": complaint.urgent,
            "urgent_sanctions": sorted(set(entry.sanctions) & URGENT_SANCTIONS) if entry else [],
        }
        notes = []
        if unlawful:
            assert entry is not None
            notes.append(
                f"Category '{entry.category.code}' has no legal basis in the catalogue: listing flagged as unlawful."
            )
        if derived:
            notes.append("The entry is derived from a relative's record.")
        if duplicate:
            notes.append(f"Possible duplicate of open case {duplicate.reference}.")
        complaint, _event = transition(
            complaint_id=complaint_id,
            action=Action.START_SCREENING,
            actor=actor,
            now=now,
            message=_("The ombudsman is checking your complaint."),
            visibility=Visibility.CITIZEN,
            changes={
                "flag_unlawful_category": unlawful,
                "flag_derived_from_relative": derived,
                "duplicate_of": duplicate,
            },
            params={"quiet": True},
        )
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind=CaseEventKind.SCREENING_FINDINGS,
            now=now,
            message=" ".join(notes) or "No flags raised.",
            data=findings,
            visibility=Visibility.INTERNAL,
        )
    return complaint


def complaint_refer(
    *, complaint_id: int, actor: Actor, now: datetime, respondent: Agency | None = None, note: str = ""
) -> Complaint:
    """Send the case to the agency that holds the record (again, to another agency, after a
    `misdirected` answer). The agency's duties start afresh (see the effects of REFER)."""

    def check_data(c: Complaint) -> None:
        if c.duplicate_of_id is not None and c.status == Status.SCREENING:
            raise ServiceError(
                _("This looks like a duplicate of an open case; rule it out of scope or clear the flag first."),
                field="duplicate_of",
            )
        if respondent is not None and not respondent.active:
            raise ServiceError(_("That agency is not active."), field="respondent")

    changes: dict[str, Any] = {"referred_at": now, "acknowledged_at": None, "marked_disputed_at": None}
    if respondent is not None:
        changes["respondent"] = respondent
    with transaction.atomic():
        complaint, _event = transition(
            complaint_id=complaint_id,
            action=Action.REFER,
            actor=actor,
            now=now,
            prepare=check_data,
            changes=changes,
            message=note or _("Referred to the agency, which must now answer within its legal deadlines."),
            data={"respondent": (respondent.slug if respondent else None)},
        )
    return complaint


def complaint_rule_out_of_scope(*, complaint_id: int, actor: Actor, reason: str, now: datetime) -> Complaint:
    if not reason.strip():
        raise ServiceError(_("Give the reason the case is out of scope."), field="reason")
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.RULE_OUT_OF_SCOPE,
            actor=actor,
            now=now,
            message=reason.strip(),
            visibility=Visibility.CITIZEN,
        )[0]


def _agency_duty(
    *,
    complaint_id: int,
    action: Action,
    actor: Actor,
    now: datetime,
    done_field: str,
    kind: CaseEventKind,
    message: str,
) -> tuple[Complaint, CaseEvent]:
    """An agency's one-off duty on the current referral (acknowledge, mark disputed)."""
    complaint = step_begin(complaint_id=complaint_id, action=action, actor=actor)
    if getattr(complaint, done_field) is not None:
        raise Conflict(_("Already done for this referral."), field="status", code="already_done")
    event = step_record(
        complaint=complaint,
        action=action,
        actor=actor,
        now=now,
        kind=kind,
        message=message,
        changes={done_field: now},
        visibility=Visibility.PARTIES,
    )
    assert event is not None
    return complaint, event


def complaint_acknowledge(*, complaint_id: int, actor: Actor, now: datetime) -> CaseEvent:
    """The agency confirms it received the referral (meets its acknowledgement clock)."""
    with transaction.atomic():
        return _agency_duty(
            complaint_id=complaint_id,
            action=Action.ACKNOWLEDGE,
            actor=actor,
            now=now,
            done_field="acknowledged_at",
            kind=CaseEventKind.AGENCY_ACKNOWLEDGED,
            message="The agency acknowledged the referral.",
        )[1]


def complaint_mark_disputed(*, complaint_id: int, actor: Actor, now: datetime) -> CaseEvent:
    """The agency marks the record as disputed while it reviews it (restriction under review)."""
    with transaction.atomic():
        complaint, event = _agency_duty(
            complaint_id=complaint_id,
            action=Action.MARK_DISPUTED,
            actor=actor,
            now=now,
            done_field="marked_disputed_at",
            kind=CaseEventKind.RECORD_MARKED_DISPUTED,
            message="The agency marked the record as disputed while it reviews it.",
        )
        if complaint.blacklist_entry_id is not None:
            record_mark_disputed(entry_id=complaint.blacklist_entry_id, now=now, actor=actor)
        return event


def complaint_record_agency_response(
    *,
    complaint_id: int,
    actor: Actor,
    outcome: str,
    explanation: str,
    now: datetime,
    corrections: list[dict[str, Any]] | None = None,
    scoring_criteria: list[dict[str, Any]] | None = None,
) -> AgencyResponse:
    """Record the agency's structured answer (by its API client, or an officer for it) and move the
    case on: a `verified` answer goes to investigation, since the ombudsman checks it
    independently (the FCRA rule: what cannot be shown in time is never "verified"); corrections
    and deletions go to the citizen to confirm; `needs_information` and `misdirected` go back to
    the case officer."""
    if outcome not in AgencyOutcome.values:
        raise ServiceError(f"Unknown outcome; choose from {', '.join(AgencyOutcome.values)}.", field="outcome")
    if not (explanation or "").strip():
        raise ServiceError(_("Explain the outcome."), field="explanation")
    if corrections and outcome not in (AgencyOutcome.CORRECTED, AgencyOutcome.PARTIALLY_CORRECTED):
        raise ServiceError(
            _(
                "Corrections belong to a corrected or partially corrected answer: remove them, or choose the "
                "outcome that says the record changed."
            ),
            field="corrections",
        )
    result: dict[str, AgencyResponse] = {}

    def prepare(c: Complaint) -> dict[str, AgencyResponse]:
        if (
            c.category == Category.UNDISCLOSED_CRITERIA
            and outcome not in (AgencyOutcome.MISDIRECTED, AgencyOutcome.NEEDS_INFORMATION)
            and not scoring_criteria
        ):
            raise ServiceError(
                _(
                    "This complaint asks for the scoring criteria: list each as {factor, description, "
                    "direction_or_weight, data_source}."
                ),
                field="scoring_criteria",
            )
        result["response"] = AgencyResponse.objects.create(
            complaint=c,
            agency=c.respondent,
            outcome=outcome,
            explanation=explanation.strip(),
            corrections=corrections or [],
            scoring_criteria=scoring_criteria or [],
            responded_at=now,
            actor_label=actor.display[:200],
        )
        return result

    with transaction.atomic():
        transition(
            complaint_id=complaint_id,
            action=Action.RECORD_AGENCY_RESPONSE,
            actor=actor,
            now=now,
            message=explanation.strip(),
            data={"outcome": outcome},
            prepare=prepare,
        )
        if outcome == AgencyOutcome.VERIFIED:
            transition(
                complaint_id=complaint_id,
                action=Action.OPEN_INVESTIGATION,
                actor=Actor.system(),
                now=now,
                message="The agency says the record is accurate; the ombudsman will check that independently.",
                data={"agency_in_default": False},
            )
    return result["response"]
