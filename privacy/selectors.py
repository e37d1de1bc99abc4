"""Reads for the citizen's rights: the data export (PIPL art. 45) and the officers' list of
deletion requests.

`citizen_export(citizen=...)` is everything the ombudsman holds about one person, in the reader's
language: the record, the agencies' records about them, every case with what was filed, the
agencies' answers, the decisions, the timeline and the files as the citizen's case page shows them
(internal notes are not theirs to read), who read their file (the access log), their deletion
requests and the erasures done. A fixed number of queries whatever the number of cases.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from citizens.models import AccessKind, AccessLogEntry, BlacklistEntry, Citizen, CreditScoreRecord
from complaints.models import AgencyResponse, Attachment, CaseEvent, Complaint
from kernel.events import event_label
from kernel.visibility import VISIBLE_TO_CITIZEN
from tribunal.models import (
    CommentParty,
    Determination,
    DeterminationReview,
    DeterminationStatus,
    ProvisionalComment,
)

from .models import ERASED, DeletionRequest, DeletionStatus, Erasure

ACTORS = {
    "citizen": gettext_lazy("You or your representative"),
    "officer": gettext_lazy("The ombudsman"),
    "senior_officer": gettext_lazy("The ombudsman"),
    "agency": gettext_lazy("The agency"),
    "system": gettext_lazy("The ombudsman (automatic)"),
}


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text(value: str) -> str:
    return _(ERASED) if value == ERASED else value


def people_of_user(user: User) -> list[Citizen]:
    """Whose data the user may download or ask to delete: their own record, then the people they
    are the registered representative of."""
    return list(Citizen.objects.filter(Q(user=user) | Q(representative=user)).order_by("-user_id", "pk"))


def person_for_user(*, user: User, citizen_id: int) -> Citizen | None:
    """The person, if the user may act for them (never for an officer: staff read through the
    officer pages, in the access log)."""
    if user.is_officer:
        return None
    citizen = Citizen.objects.filter(pk=citizen_id).select_related("user", "representative").first()
    return citizen if citizen is not None and citizen.can_be_acted_for_by(user) else None


def _link(name: str, *args: Any) -> str:
    return settings.OMBUDSMAN_BASE_URL.rstrip("/") + reverse(name, args=args)


def citizen_export(*, citizen: Citizen, now: datetime) -> dict[str, Any]:
    """The person's data as a JSON-ready dict (see the module docstring)."""
    complaints = list(
        Complaint.objects.filter(citizen=citizen)
        .select_related("respondent", "blacklist_entry", "score_record")
        .order_by("submitted_at", "pk")
    )
    ids = [c.pk for c in complaints]
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for e in CaseEvent.objects.filter(complaint_id__in=ids, visibility__in=VISIBLE_TO_CITIZEN).order_by(
        "created_at", "id"
    ):
        events[e.complaint_id].append(e)
    responses: dict[int, list[AgencyResponse]] = defaultdict(list)
    for r in AgencyResponse.objects.filter(complaint_id__in=ids).select_related("agency").order_by("responded_at"):
        responses[r.complaint_id].append(r)
    files: dict[int, list[Attachment]] = defaultdict(list)
    for a in Attachment.objects.filter(complaint_id__in=ids, visibility__in=VISIBLE_TO_CITIZEN).order_by("pk"):
        files[a.complaint_id].append(a)
    decisions: dict[int, list[Determination]] = defaultdict(list)
    for d in Determination.objects.filter(complaint_id__in=ids, status=DeterminationStatus.ISSUED).order_by("pk"):
        decisions[d.complaint_id].append(d)
    comments: dict[int, list[ProvisionalComment]] = defaultdict(list)
    for pc in (
        ProvisionalComment.objects.filter(determination__complaint_id__in=ids, party=CommentParty.CITIZEN)
        .select_related("determination")
        .order_by("created_at", "pk")
    ):
        comments[pc.determination.complaint_id].append(pc)
    reviews: dict[int, list[DeterminationReview]] = defaultdict(list)
    for rv in (
        DeterminationReview.objects.filter(determination__complaint_id__in=ids, party=CommentParty.CITIZEN)
        .select_related("determination")
        .order_by("requested_at", "pk")
    ):
        reviews[rv.determination.complaint_id].append(rv)
    references = {c.pk: c.reference for c in complaints}
    kinds = dict(AccessKind.choices)
    reads = (
        AccessLogEntry.objects.filter(citizen=citizen)
        .select_related("reader_user", "reader_agency")
        .order_by("at", "id")
    )
    entries = BlacklistEntry.objects.filter(citizen=citizen).select_related("agency", "category").order_by("pk")
    scores = CreditScoreRecord.objects.filter(citizen=citizen).select_related("agency").order_by("pk")

    return {
        "generated_at": _at(now),
        "person": {
            "full_name": _text(citizen.full_name),
            "national_id": citizen.national_id_masked,
            "date_of_birth": citizen.date_of_birth.isoformat() if citizen.date_of_birth else None,
            "email": citizen.email,
            "phone": citizen.phone,
            "address": citizen.address,
            "preferred_language": citizen.preferred_language,
            "account_email": citizen.user.email if citizen.user else None,
            "representative": str(citizen.representative) if citizen.representative else None,
            "representative_kind": citizen.get_representative_kind_display() if citizen.representative else None,
            "record_created_at": _at(citizen.created_at),
        },
        "agency_records": [
            {
                "agency": e.agency.display_name,
                "list": e.list_name,
                "record_id": e.agency_record_id,
                "category": e.category.code,
                "reason": _text(e.reason),
                "listed_on": e.listed_on.isoformat(),
                "expires_on": e.expires_on.isoformat() if e.expires_on else None,
                "sanctions": list(e.sanctions),
                "status": e.get_status_display(),
            }
            for e in entries
        ]
        + [
            {
                "agency": s.agency.display_name,
                "score": s.score,
                "as_of": s.as_of.isoformat(),
                "factors": list(s.factors),
                "automated": s.automated,
            }
            for s in scores
        ],
        "cases": [
            {
                "reference": c.reference,
                "status": c.status_label,
                "agency": c.respondent.display_name,
                "category": c.get_category_display(),
                "statement": _text(c.statement),
                "record": _text(c.other_record_description) if not c.disputed_record else str(c.disputed_record),
                "remedies_sought": list(c.remedies_sought),
                "remedy_detail": c.remedy_detail,
                "urgent": c.urgent,
                "urgency_detail": c.urgency_detail,
                "channel": c.get_channel_display(),
                "submitted_at": _at(c.submitted_at),
                "closed_at": _at(c.closed_at),
                "page": _link("case-detail", c.reference),
                "agency_answers": [
                    {
                        "agency": r.agency.display_name,
                        "outcome": r.get_outcome_display(),
                        "explanation": _text(r.explanation),
                        "corrections": list(r.corrections),
                        "at": _at(r.responded_at),
                    }
                    for r in responses[c.pk]
                ],
                "decisions": [
                    {
                        "number": d.number,
                        "outcome": d.get_outcome_display(),
                        "findings": _text(d.findings),
                        "reasons": _text(d.reasons),
                        "issued_at": _at(d.issued_at),
                    }
                    for d in decisions[c.pk]
                ],
                "your_comments_on_provisional_decisions": [
                    {"at": _at(pc.created_at), "text": _text(pc.text)} for pc in comments[c.pk]
                ],
                "your_review_requests": [
                    {
                        "at": _at(rv.requested_at),
                        "reasons": _text(rv.reasons),
                        "outcome": rv.get_outcome_display() if rv.outcome else None,
                        "decision_reasons": _text(rv.decision_reasons),
                        "decided_at": _at(rv.decided_at),
                    }
                    for rv in reviews[c.pk]
                ],
                "timeline": [
                    {
                        "at": _at(e.created_at),
                        "what": event_label(e.kind),
                        "by": str(ACTORS.get(e.actor_kind, "")),
                        "message": _text(e.message),
                    }
                    for e in events[c.pk]
                ],
                "files": [
                    {
                        "name": _text(a.original_name),
                        "type": a.content_type,
                        "size": a.size,
                        "added_at": _at(a.created_at),
                        "download": _link("case-attachment", c.reference, a.pk) if a.file else None,
                    }
                    for a in files[c.pk]
                ],
            }
            for c in complaints
        ],
        "who_read_my_file": [
            {
                "at": _at(r.at),
                "who": str(ACTORS.get(r.reader_kind, r.reader_kind)),
                "name": r.reader_agency.display_name if r.reader_agency else (str(r.reader_user or "")),
                "what": str(kinds.get(r.kind, r.kind)),
                "case": references.get(r.complaint_id or 0),
                "page": r.why,
            }
            for r in reads
        ],
        "deletion_requests": [
            {
                "reason": d.reason,
                "status": d.get_status_display(),
                "asked_at": _at(d.created_at),
                "decided_at": _at(d.decided_at),
                "decision_reason": d.decision_reason,
            }
            for d in DeletionRequest.objects.filter(citizen=citizen).order_by("pk")
        ],
        "erasures": [
            {"what": e.get_kind_display(), "at": _at(e.at), "why": e.get_trigger_display(), "counts": e.counts}
            for e in Erasure.objects.filter(citizen_id=citizen.pk).order_by("at", "pk")
        ],
    }


# --- officers ---------------------------------------------------------------------------------


def deletion_requests_queue() -> QuerySet[DeletionRequest]:
    """Waiting requests first (oldest first), then the decided ones (newest decision first)."""
    waiting = Case(When(status=DeletionStatus.PENDING, then=Value(0)), default=Value(1))
    return (
        DeletionRequest.objects.select_related("citizen", "requested_by", "decided_by")
        .annotate(waiting=waiting)
        .order_by("waiting", F("decided_at").desc(nulls_first=True), "created_at", "pk")
    )


def deletion_request_cases(request: DeletionRequest) -> list[Complaint]:
    return list(Complaint.objects.filter(citizen_id=request.citizen_id).select_related("respondent").order_by("pk"))


def pending_deletion_requests() -> int:
    return DeletionRequest.objects.filter(status=DeletionStatus.PENDING).count()
