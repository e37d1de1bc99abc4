"""Reads for the agency portal. Everything goes through the one scoping rule
(agencies.scoping.agency_scoped): a row of another agency is simply absent.

The work list is the agency's running clocks (what it owes, by when), nearest deadline first:
referral steps (acknowledge, mark disputed, answer), information requests and correction orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from agencies.models import AgencyMembership
from agencies.scoping import agency_get, agency_scoped
from clocks import selectors as clock_selectors
from clocks.models import ACTIVE_STATUSES, Clock, ClockStatus, Obligation
from complaints.models import Attachment, Complaint
from complaints.selectors import referred_complaints
from kernel.actors import Actor
from kernel.visibility import VISIBLE_TO_AGENCY
from tribunal.models import CorrectionOrder, InformationRequest

KINDS = ("referral", "information_request", "correction_order")
STATES = ("due_today", "overdue", "escalated")


@dataclass(frozen=True)
class WorkItem:
    clock: Clock
    kind: str  # one of KINDS
    subject_id: int | None  # the information request's or order's id; None for a referral

    @property
    def complaint(self) -> Complaint:
        return self.clock.complaint

    @property
    def record_id(self) -> str:
        record = self.complaint.disputed_record
        return str(getattr(record, "agency_record_id", "") or "")


def kind_of(clock: Clock) -> tuple[str, int | None]:
    prefix, _sep, pk = clock.subject_key.partition(":")
    if prefix in ("information_request", "correction_order") and pk.isdigit():
        return prefix, int(pk)
    return "referral", None


def _clocks(actor: Actor) -> QuerySet[Clock]:
    qs = Clock.objects.select_related(
        "rule", "complaint", "complaint__blacklist_entry", "complaint__score_record"
    ).filter(status__in=ACTIVE_STATUSES)
    return agency_scoped(qs, actor=actor, agency_field="agency")


def _in_state(qs: QuerySet[Clock], state: str, now: datetime) -> QuerySet[Clock]:
    if state == "due_today":
        return qs.filter(pk__in=clock_selectors.clocks_due_today(now=now).values("pk"))
    if state == "overdue":
        return qs.filter(pk__in=clock_selectors.clocks_overdue(now=now).values("pk"))
    if state == "escalated":
        return qs.filter(status=ClockStatus.MISSED, escalation_level__gte=1)
    return qs


_KIND_Q = {
    "referral": Q(obligation__in=[Obligation.ACKNOWLEDGE, Obligation.MARK_DISPUTED, Obligation.RESPOND]),
    "information_request": Q(obligation=Obligation.INFORMATION_REQUEST),
    "correction_order": Q(obligation=Obligation.COMPLIANCE),
}


def search_q(q: str) -> Q:
    """A case reference or the agency's own record id."""
    q = q.strip()
    return (
        Q(complaint__reference__iexact=q)
        | Q(complaint__blacklist_entry__agency_record_id__iexact=q)
        | Q(complaint__score_record__agency_record_id__iexact=q)
    )


def work_list(
    *, actor: Actor, now: datetime, kind: str = "", state: str = "", q: str = "", urgent: bool = False
) -> list[WorkItem]:
    qs = _clocks(actor)
    if kind in _KIND_Q:
        qs = qs.filter(_KIND_Q[kind])
    if state in STATES:
        qs = _in_state(qs, state, now)
    if urgent:
        qs = qs.filter(complaint__urgent=True)
    if q.strip():
        qs = qs.filter(search_q(q))
    items = []
    for clock in qs.order_by("due_at", "id"):
        item_kind, subject_id = kind_of(clock)
        items.append(WorkItem(clock=clock, kind=item_kind, subject_id=subject_id))
    return items


def work_counts(*, actor: Actor, now: datetime) -> dict[str, int]:
    qs = _clocks(actor)
    return {state: _in_state(qs, state, now).count() for state in STATES}


def case_history(*, actor: Actor) -> QuerySet[Complaint]:
    """Every case ever referred to the agency, newest first (the export)."""
    qs = referred_complaints().select_related("blacklist_entry", "score_record")
    return agency_scoped(qs, actor=actor, agency_field="respondent").order_by("-referred_at", "-id")


def referral_get(*, actor: Actor, reference: str) -> Complaint:
    qs = referred_complaints().select_related("citizen", "respondent", "blacklist_entry__category", "score_record")
    return agency_get(qs, actor=actor, agency_field="respondent", reference=reference)


def referral_attachment_get(*, actor: Actor, reference: str, pk: int) -> Attachment:
    complaint = referral_get(actor=actor, reference=reference)
    qs = Attachment.objects.filter(complaint=complaint, visibility__in=VISIBLE_TO_AGENCY)
    return agency_get(qs, actor=actor, agency_field="complaint__respondent", pk=pk)


def information_request_get(*, actor: Actor, pk: int) -> InformationRequest:
    qs = InformationRequest.objects.select_related("complaint").prefetch_related("documents")
    return agency_get(qs, actor=actor, agency_field="agency", pk=pk)


def correction_order_get(*, actor: Actor, pk: int) -> CorrectionOrder:
    qs = CorrectionOrder.objects.select_related("complaint", "category")
    return agency_get(qs, actor=actor, agency_field="agency", pk=pk)


def agency_clocks(*, actor: Actor, complaint: Complaint) -> list[Clock]:
    qs = clock_selectors.clocks_for_complaint(complaint=complaint, audience="agency", agency=actor.agency)
    return list(agency_scoped(qs, actor=actor, agency_field="agency"))


def team(*, actor: Actor) -> QuerySet[AgencyMembership]:
    return agency_scoped(AgencyMembership.objects.select_related("user"), actor=actor, agency_field="agency")
