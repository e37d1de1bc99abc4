"""Review of a final determination: either party may ask once, with reasons, within
REVIEW_WINDOW of its issue; a senior officer who took no part in the case decides it within
the ombudsman's own clock (obligation `review`, rule `omb-review`):

    confirmed    the decision stands;
    varied       the remedies change: pending orders for remedies no longer ordered are
                 superseded, remedies newly ordered go out as orders (propagated like the
                 determination's), the rest stand;
    set aside    every pending order is superseded and the case goes back to investigation
                 for a new decision.

Lock order (complaints.lifecycle): `step_begin` locks the case, then the review row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from citizens.models import Sanction
from complaints import services as complaint_services
from complaints.lifecycle import lock_rows, step_begin, step_record
from complaints.models import CaseEvent, Complaint
from complaints.notify import notify_agency_users, notify_citizen
from complaints.remedies import RECORD_REMEDIES
from complaints.transitions import Action, Status
from kernel.actors import Actor, ActorKind
from kernel.errors import Conflict, NotAllowed, ServiceError
from kernel.events import CaseEventKind
from outbox.services import outbox_email, outbox_webhook

from ..models import (
    CommentParty,
    Determination,
    DeterminationReview,
    DeterminationStatus,
    Outcome,
    ReviewOutcome,
)
from ..remedies import validated_remedies
from ..selectors import REVIEW_WINDOW
from ._shared import acting_user, text
from .correction_orders import correction_orders_extended, correction_orders_narrowed


def review_subject_key(review: DeterminationReview) -> str:
    return f"review:{review.pk}"


def _latest_issued(complaint_id: int) -> Determination | None:
    return (
        Determination.objects.filter(complaint_id=complaint_id, status=DeterminationStatus.ISSUED)
        .order_by("-issued_at", "-id")
        .first()
    )


def took_part(user: User, complaint: Complaint) -> bool:
    """Whether `user` worked on the case: assigned to it, acted on its timeline, or drafted,
    shared or signed one of its determinations."""
    if complaint.assigned_officer_id == user.pk:
        return True
    if CaseEvent.objects.filter(complaint=complaint, actor_user=user).exists():
        return True
    return (
        Determination.objects.filter(complaint=complaint)
        .filter(Q(drafted_by=user) | Q(signed_by=user) | Q(provisional_signed_by=user))
        .exists()
    )


def review_request(*, complaint_id: int, actor: Actor, reasons: str, now: datetime) -> DeterminationReview:
    """The citizen or the agency asks for a review of the case's final determination: once, with
    reasons, within 30 days of its issue. The senior officers who took no part in the case are
    told; the ombudsman's review clock starts."""
    body = text(reasons, field="reasons")
    with transaction.atomic():
        complaint = step_begin(complaint_id=complaint_id, action=Action.REQUEST_REVIEW, actor=actor)
        det = _latest_issued(complaint.pk)
        if det is None or det.issued_at is None:
            raise Conflict(_("There is no final decision on this case to review."), field="status")
        if DeterminationReview.objects.filter(determination=det).exists():
            raise Conflict(_("A review of this decision has already been asked for; it can be asked for once."))
        if now > det.issued_at + REVIEW_WINDOW:
            raise Conflict(
                _("A review can be asked for until %(date)s, 30 days after the decision.")
                % {"date": (det.issued_at + REVIEW_WINDOW).strftime("%Y-%m-%d")},
                field="reasons",
            )
        party = CommentParty.CITIZEN if actor.kind == ActorKind.CITIZEN else CommentParty.AGENCY
        review = DeterminationReview.objects.create(
            determination=det, party=party, requested_by_label=actor.display[:200], reasons=body, requested_at=now
        )
        step_record(
            complaint=complaint,
            action=Action.REQUEST_REVIEW,
            actor=actor,
            now=now,
            kind=CaseEventKind.REVIEW_REQUESTED,
            message=body,
            data={"determination_id": det.pk, "review_id": review.pk, "party": party},
            params={"subject_key": review_subject_key(review)},
        )
        _tell_eligible_seniors(complaint, review, now=now)
        outbox_webhook(
            agency_id=complaint.respondent_id,
            event_type="determination.review_requested",
            data=review_payload(review),
            dedupe_key=f"review:{review.pk}:requested",
            now=now,
            complaint_id=complaint.pk,
        )
    return review


def _tell_eligible_seniors(complaint: Complaint, review: DeterminationReview, *, now: datetime) -> None:
    link = f"{settings.OMBUDSMAN_BASE_URL.rstrip('/')}/officer/cases/{complaint.reference}/investigation/"
    for senior in User.objects.filter(role=Role.SENIOR_OFFICER, is_active=True).order_by("pk"):
        if took_part(senior, complaint):
            continue
        with translation.override(senior.preferred_language):
            subject = _("A review of decision %(n)s was asked for") % {"n": review.determination.number}
            body = _(
                "%(who)s asked for a review of the decision on case %(ref)s. A senior officer who took no part in "
                "the case decides it: %(link)s"
            ) % {"who": review.get_party_display(), "ref": complaint.reference, "link": link}
        outbox_email(
            to=senior.email,
            subject=subject,
            body=body,
            topic="email.determination.review_requested",
            dedupe_key=f"review:{review.pk}:requested:{senior.pk}",
            now=now,
            complaint_id=complaint.pk,
        )


def review_decide(
    *,
    review_id: int,
    actor: Actor,
    outcome: str,
    reasons: str,
    now: datetime,
    remedies: list[dict[str, Any]] | None = None,
) -> DeterminationReview:
    """A senior officer who took no part in the case decides the review (see the module's docstring)."""
    if outcome not in ReviewOutcome.values:
        raise ServiceError(f"outcome must be one of {', '.join(ReviewOutcome.values)}.", field="outcome")
    body = text(reasons, field="reasons")
    review_row = DeterminationReview.objects.filter(pk=review_id).select_related("determination").first()
    if review_row is None:
        raise ServiceError(_("There is no such review."), field="review", code="not_found")
    with transaction.atomic():
        complaint = step_begin(
            complaint_id=review_row.determination.complaint_id, action=Action.DECIDE_REVIEW, actor=actor
        )
        review = lock_rows(DeterminationReview.objects.filter(pk=review_id).select_related("determination"))[0]
        if review.is_decided:
            raise Conflict(_("This review has already been decided."), field="status")
        reviewer = acting_user(actor)
        if took_part(reviewer, complaint):
            raise NotAllowed(_("You took part in this case: a senior officer who did not must decide the review."))
        det = review.determination
        if outcome == ReviewOutcome.VARIED:
            _vary(complaint, det, review, remedies, actor=actor, now=now)
        review.outcome = outcome
        review.decision_reasons = body
        review.decided_by = reviewer
        review.decided_at = now
        review.save(update_fields=["outcome", "decision_reasons", "decided_by", "decided_at", "remedies_before"])
        step_record(
            complaint=complaint,
            action=Action.DECIDE_REVIEW,
            actor=actor,
            now=now,
            kind=CaseEventKind.REVIEW_DECIDED,
            message=body,
            data={"determination_id": det.pk, "review_id": review.pk, "outcome": outcome},
            params={"subject_key": review_subject_key(review)},
        )
        if outcome == ReviewOutcome.SET_ASIDE:
            _set_aside(complaint, det, actor=actor, now=now, reason=body)
        _tell_parties_of_review(complaint, review, now=now)
        outbox_webhook(
            agency_id=complaint.respondent_id,
            event_type="determination.review_decided",
            data=review_payload(review),
            dedupe_key=f"review:{review.pk}:decided",
            now=now,
            complaint_id=complaint.pk,
        )
    return review


def _vary(
    complaint: Complaint,
    det: Determination,
    review: DeterminationReview,
    remedies: list[dict[str, Any]] | None,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    clean = validated_remedies(remedies, upheld=det.outcome != Outcome.NOT_UPHELD, sanctions=Sanction.values)
    if clean == det.remedies:
        raise ServiceError(_("A varied decision orders something different: change the remedies."), field="remedies")
    record_kinds = {r["kind"] for r in clean} & RECORD_REMEDIES
    if record_kinds and complaint.disputed_record is None and not complaint.other_record_description:
        raise ServiceError(_("There is no record to correct on this case."), field="remedies")
    added = [r for r in clean if r not in det.remedies]
    if added and complaint.status_enum == Status.CLOSED:
        raise Conflict(
            _("The case is closed: to order more, set the decision aside and decide the case again."),
            field="remedies",
        )
    review.remedies_before = list(det.remedies)
    det.remedies = clean
    det.save(update_fields=["remedies"])
    correction_orders_narrowed(
        complaint=complaint,
        determination=det,
        keep=clean,
        actor=actor,
        now=now,
        reason=_("Varied on review of %(n)s.") % {"n": det.number},
    )
    if added:
        correction_orders_extended(complaint=complaint, determination=det, added=added, actor=actor, now=now)


def _set_aside(complaint: Complaint, det: Determination, *, actor: Actor, now: datetime, reason: str) -> None:
    correction_orders_narrowed(
        complaint=complaint,
        determination=det,
        keep=[],
        actor=actor,
        now=now,
        reason=_("Decision %(n)s set aside on review.") % {"n": det.number},
        close_if_done=False,
    )
    complaint_services.complaint_set_aside_on_review(complaint_id=complaint.pk, actor=actor, now=now, reason=reason)


def _tell_parties_of_review(complaint: Complaint, review: DeterminationReview, *, now: datetime) -> None:
    def render(link: str) -> tuple[str, str]:
        return (
            _("The review of the decision on case %(ref)s: %(outcome)s")
            % {"ref": complaint.reference, "outcome": review.get_outcome_display()},
            _("The review of decision %(n)s is decided: %(outcome)s. The reasons are on the case page: %(link)s")
            % {"n": review.determination.number, "outcome": review.get_outcome_display(), "link": link},
        )

    key = f"review:{review.pk}:decided:mail"
    notify_citizen(complaint, topic="email.determination.review_decided", render=render, now=now, key=key)
    notify_agency_users(complaint, topic="email.determination.review_decided", render=render, now=now, key=key)


def review_payload(review: DeterminationReview) -> dict[str, Any]:
    """The `determination.review_requested` / `.review_decided` webhooks' data."""
    det = review.determination
    return {
        "review_id": review.pk,
        "reference": det.complaint.reference,
        "determination_number": det.number,
        "requested_by": review.party,
        "requested_at": _utc(review.requested_at),
        "outcome": review.outcome or None,
        "decided_at": _utc(review.decided_at),
        "remedies": det.remedies,
    }


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
