"""Reads for the tribunal: the sharing graph for a record, what an agency owes, the public
registers, and the record holders a citizen may see (GDPR art. 19)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet

from accounts.models import User
from agencies.models import Agency, DataSharingLink
from clocks.models import Clock, ClockStatus, Obligation
from clocks.selectors import clocks_of_subject
from complaints.models import Complaint
from complaints.selectors import complaints_visible_to_user

from .models import (
    ConflictOfInterest,
    CorrectionOrder,
    CriteriaDisclosure,
    Determination,
    DeterminationReview,
    DeterminationStatus,
    InformationRequest,
    OrderStatus,
    Outcome,
    ProvisionalComment,
)
from .propagation import adjacency_from_edges, paths_to, propagate


def sharing_adjacency(*, category_id: int | None, on: date) -> dict[int, list[int]]:
    """Source agency id -> recipient ids, over the links in force on `on` that carry the category
    (a link with no categories carries every category). Without a category (a score, or a record
    described in words) every link in force counts: the ombudsman cannot rule any holder out."""
    links = DataSharingLink.objects.filter(active=True, since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on))
    if category_id is not None:
        links = links.filter(Q(categories__isnull=True) | Q(categories=category_id))
    edges = links.order_by("source_id", "recipient__name_en", "recipient_id").values_list("source_id", "recipient_id")
    return adjacency_from_edges((s, r) for s, r in edges.distinct())


def information_requests_for_agency(agency: Agency) -> QuerySet[InformationRequest]:
    return (
        InformationRequest.objects.filter(agency=agency)
        .select_related("complaint", "complaint__citizen", "complaint__respondent")
        .prefetch_related("documents")
        .order_by("-created_at", "-id")
    )


def correction_orders_for_agency(agency: Agency) -> QuerySet[CorrectionOrder]:
    return (
        CorrectionOrder.objects.filter(agency=agency)
        .select_related("complaint", "complaint__citizen", "determination", "received_via", "category")
        .order_by("-ordered_at", "-id")
    )


def orders_of_complaint(complaint: Complaint) -> QuerySet[CorrectionOrder]:
    return complaint.correction_orders.select_related("agency", "received_via", "determination").order_by(
        "ordered_at", "depth", "agency__name_en", "id"
    )


def clock_levels(subject_keys: list[str]) -> dict[str, dict[str, Any]]:
    """The newest clock per subject key: its status, due time and escalation level."""
    out: dict[str, dict[str, Any]] = {}
    if not subject_keys:
        return out
    fields = ("subject_key", "status", "due_at", "escalation_level", "explanation")
    for clock in Clock.objects.filter(subject_key__in=subject_keys).only(*fields).order_by("created_at", "id"):
        out[clock.subject_key] = {
            "status": clock.status,
            "due_at": clock.due_at,
            "escalation_level": clock.escalation_level,
            "explanation": clock.explanation,
        }
    return out


def record_holders_for_case(*, user: User, reference: str) -> dict[str, Any] | None:
    """For the case owner (or an officer): the agencies that held the record and each order's
    state. Who may see the case is complaints' one definition of a party (complaints.parties,
    through `complaints_visible_to_user`): the citizen and their representative, not whoever
    filed it. None when the user may not see the case (the view answers 404)."""
    complaint = (
        complaints_visible_to_user(user)
        .select_related("blacklist_entry__category", "score_record")
        .filter(reference=reference)
        .first()
    )
    if complaint is None:
        return None
    orders = list(orders_of_complaint(complaint))
    clocks = clock_levels([o.subject_key for o in orders])
    return {"complaint": complaint, "orders": orders, "clocks": clocks}


def issued_determinations() -> QuerySet[Determination]:
    return (
        Determination.objects.filter(status=DeterminationStatus.ISSUED)
        .select_related("complaint__respondent", "complaint__blacklist_entry__category")
        .order_by("-issued_at", "-id")
    )


def criteria_register() -> list[dict[str, Any]]:
    """Each agency with disclosed criteria: its latest version first, then the history."""
    disclosures = CriteriaDisclosure.objects.select_related("agency").order_by("agency__name_en", "-version")
    out: dict[int, dict[str, Any]] = {}
    for d in disclosures:
        row = out.setdefault(d.agency_id, {"agency": d.agency, "versions": []})
        row["versions"].append(d)
    return list(out.values())


def criteria_for_agency(slug: str) -> tuple[Agency, list[CriteriaDisclosure]] | None:
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        return None
    return agency, list(agency.criteria_disclosures.order_by("-version"))


def conflicts_register() -> list[dict[str, Any]]:
    agencies = (
        Agency.objects.filter(conflicts_of_interest__published=True)
        .distinct()
        .prefetch_related(
            Prefetch(
                "conflicts_of_interest",
                queryset=ConflictOfInterest.objects.filter(published=True).select_related("related_agency"),
                to_attr="published_conflicts",
            )
        )
        .order_by("name_en")
    )
    return [{"agency": a, "conflicts": a.published_conflicts} for a in agencies]


def latest_criteria_version(agency_id: int) -> int:
    return CriteriaDisclosure.objects.filter(agency_id=agency_id).aggregate(v=Max("version"))["v"] or 0


def pending_orders_exist(complaint_id: int) -> bool:
    """Whether any correction order of the case still waits for its agency (the case cannot close)."""
    return CorrectionOrder.objects.filter(complaint_id=complaint_id, status=OrderStatus.ORDERED).exists()


def known_holders(complaint: Complaint, *, on: date) -> list[dict[str, Any]]:
    """The agencies that hold the record by the sharing links in force (before any order exists):
    the respondent first, then each recipient with the chain it came through."""
    entry = complaint.blacklist_entry
    category_id = entry.category_id if entry is not None else None
    reaches = propagate(complaint.respondent_id, sharing_adjacency(category_id=category_id, on=on))
    agencies = Agency.objects.in_bulk([r.agency for r in reaches])
    chains = paths_to(reaches)
    return [
        {"agency": agencies[r.agency], "depth": r.depth, "path": [agencies[a] for a in chains[r.agency]]}
        for r in reaches
    ]


def determination_signed_now(*, complaint_id: int, now: datetime) -> bool:
    """Whether a determination of this case was signed at `now` (the guard of
    tribunal/effects.py on ISSUE_DETERMINATION: only signing issues a determination)."""
    return Determination.objects.filter(
        complaint_id=complaint_id, status=DeterminationStatus.ISSUED, issued_at=now
    ).exists()


def upheld_complaint_ids() -> list[int]:
    """Complaints a determination upheld in full or in part (public statistics)."""
    return list(
        Determination.objects.filter(
            status=DeterminationStatus.ISSUED, outcome__in=["upheld", "partly_upheld"]
        ).values_list("complaint_id", flat=True)
    )


# --- the provisional decision and its comment periods -----------------------------------------


@dataclass
class CommentWindow:
    """Where a provisional decision's comment period stands, per party."""

    due: dict[str, datetime]  # party -> end of its comment period
    commented: set[str]
    comments: list[ProvisionalComment]

    @property
    def open_until(self) -> datetime | None:
        """When the last party still able to comment must have done so (None: nobody still can)."""
        waiting = [due for party, due in self.due.items() if party not in self.commented]
        return max(waiting) if waiting else None

    def is_open_for(self, party: str, now: datetime) -> bool:
        due = self.due.get(party)
        return due is not None and now < due


def comment_window(det: Determination) -> CommentWindow:
    clocks = clocks_of_subject(det.complaint_id, Obligation.PROVISIONAL_COMMENT, provisional_subject_key(det))
    comments = list(det.provisional_comments.all())
    return CommentWindow(
        due={party: clock.due_at for party, clock in clocks.items() if clock.status != ClockStatus.CANCELLED},
        commented={c.party for c in comments},
        comments=comments,
    )


def provisional_subject_key(det: Determination) -> str:
    return f"determination:{det.pk}"


@dataclass
class ProvisionalView:
    """What a party sees of a provisional decision: what was shared, until when it may comment,
    and the comments made so far (both parties' comments join the case)."""

    determination: Determination
    outcome: str
    findings: str
    reasons: str
    remedies: list[dict[str, Any]]
    due_at: datetime | None
    can_comment: bool
    comments: list[ProvisionalComment]


def provisional_view(complaint: Complaint, *, party: str, now: datetime) -> ProvisionalView | None:
    """The case's provisional decision as `party` ("citizen" or "agency") sees it, or None."""
    det = Determination.objects.filter(complaint=complaint, status=DeterminationStatus.PROVISIONAL).first()
    if det is None:
        return None
    window = comment_window(det)
    shared = det.provisional_text
    return ProvisionalView(
        determination=det,
        outcome=str(Outcome(shared["outcome"]).label) if shared.get("outcome") in Outcome.values else "",
        findings=shared.get("findings", ""),
        reasons=shared.get("reasons", ""),
        remedies=list(shared.get("remedies", [])),
        due_at=window.due.get(party),
        can_comment=window.is_open_for(party, now),
        comments=window.comments,
    )


# --- review of a final decision ---------------------------------------------------------------

# How long after its issue a party may ask for a review of a final decision.
REVIEW_WINDOW = timedelta(days=30)


@dataclass
class ReviewView:
    """A case's latest final decision and its review, as a party or an officer sees it."""

    determination: Determination
    review: DeterminationReview | None
    request_until: datetime

    def can_request(self, now: datetime) -> bool:
        return self.review is None and now <= self.request_until


def review_view(complaint: Complaint) -> ReviewView | None:
    det = (
        Determination.objects.filter(complaint=complaint, status=DeterminationStatus.ISSUED)
        .order_by("-issued_at", "-id")
        .first()
    )
    if det is None or det.issued_at is None:
        return None
    review = DeterminationReview.objects.filter(determination=det).select_related("decided_by").first()
    return ReviewView(determination=det, review=review, request_until=det.issued_at + REVIEW_WINDOW)


def reviews_to_decide() -> list[DeterminationReview]:
    """Review requests not yet decided, oldest first (the seniors' queue)."""
    return list(
        DeterminationReview.objects.filter(decided_at__isnull=True)
        .select_related("determination__complaint__respondent")
        .order_by("requested_at", "pk")[:200]
    )
