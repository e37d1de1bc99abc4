"""The re-insertion watch: a record ordered deleted (or deleted by its holder) is watched; when
any agency reports holding it again (API or CSV import), the case reopens and the officer is
alerted."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, RecordCategory
from complaints import services as complaint_services
from complaints.lifecycle import case_event_record, lock_case
from complaints.models import Complaint
from complaints.notify import notify_officer
from complaints.transitions import Action, allowed_actions
from kernel.actors import Actor
from kernel.errors import ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

from ..models import DeletionWatch, ReportedRecord
from ._shared import origin_record, text

MATCH_TOKEN = re.compile(r"[0-9a-f]{64}")


def deletion_watch_start(*, complaint: Complaint, agencies: Iterable[Agency], now: datetime) -> DeletionWatch:
    """Watch the case's record at `agencies` (those ordered to delete it, or that deleted it).
    Runs inside the step that orders the deletion, after its case lock."""
    category, ref = origin_record(complaint)
    watch = DeletionWatch.objects.create(
        complaint=complaint,
        citizen_match_token=complaint.citizen.national_id_hash,
        category=category,
        agency_record_id=ref,
        created_at=now,
    )
    watch.agencies.set(list(agencies))
    return watch


def record_reported(
    *,
    agency: Agency,
    citizen_match_token: str,
    agency_record_id: str,
    now: datetime,
    category: RecordCategory | None = None,
    list_name: str = "",
    source: str = "api",
) -> ReportedRecord:
    """An agency reports holding a record (through the API or an import). If it matches a record
    ordered deleted (same person, and the same record id or the same category), the case reopens
    and the officer is alerted."""
    token = text(citizen_match_token, field="citizen_match_token", limit=64)
    if not MATCH_TOKEN.fullmatch(token):
        raise ServiceError(_("citizen_match_token must be the 64-character match token."), field="citizen_match_token")
    record_id = text(agency_record_id, field="agency_record_id", limit=100)
    with transaction.atomic():
        match = _matching_watch(token=token, record_id=record_id, category=category)
        complaint = lock_case(match.complaint_id) if match is not None else None
        reported = ReportedRecord.objects.create(
            agency=agency,
            citizen_match_token=token,
            agency_record_id=record_id,
            category=category,
            list_name=list_name[:200],
            source=source[:20],
            reported_at=now,
            matched_watch=match,
        )
        if complaint is not None and match is not None:
            _reinsertion_detected(complaint, match, reported, now=now)
    return reported


def _matching_watch(*, token: str, record_id: str, category: RecordCategory | None) -> DeletionWatch | None:
    """The oldest active watch on this person's record with the same record id or category.
    Read without a lock: watches are never changed, and the match's case is locked next."""
    for watch in DeletionWatch.objects.filter(active=True, citizen_match_token=token).order_by("created_at", "id"):
        same_record = bool(watch.agency_record_id) and watch.agency_record_id == record_id
        same_category = category is not None and watch.category_id == category.pk
        if same_record or same_category:
            return watch
    return None


def _reinsertion_detected(
    complaint: Complaint, watch: DeletionWatch, reported: ReportedRecord, *, now: datetime
) -> None:
    reason = (
        f"Re-insertion watch: {reported.agency.name_en} reported holding record {reported.agency_record_id} "
        f"again after it was ordered deleted."
    )
    system = Actor.system()
    # A case still open goes on as it is; one that ended (resolved, closed) reopens, as the table allows.
    if Action.REOPEN in allowed_actions(complaint.status_enum, system.kind):
        complaint_services.complaint_reopen(complaint_id=complaint.pk, actor=system, now=now, reason=reason)
    case_event_record(
        complaint=complaint,
        actor=Actor.for_agency(reported.agency, f"{reported.agency.name_en} ({reported.source})"),
        kind=CaseEventKind.REINSERTION_DETECTED,
        now=now,
        message=reason,
        data={"reported_record_id": reported.pk, "agency": reported.agency.slug, "watch_id": watch.pk},
        visibility=Visibility.INTERNAL,
    )
    ref = complaint.reference

    def render(link: str) -> tuple[str, str]:
        subject = _("%(ref)s: a deleted record came back") % {"ref": ref}
        return subject, f"{reason}\n\n{link}"

    notify_officer(
        complaint,
        topic="email.officer_alert",
        render=render,
        key=f"reinsertion:{reported.pk}",
        now=now,
        or_seniors=True,
    )
