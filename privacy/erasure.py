"""Erasing personal data: what the retention schedule (privacy.services.retention_run) and a
granted deletion request (privacy.services.deletion_request_decide) both call.

    case_files_delete(complaint_ids=...)   evidence files (the case's attachments and the documents
                                           agencies sent to information requests): deleted from
                                           storage, their rows kept and marked (name "[erased]",
                                           no file)
    cases_erase(complaint_ids=...)         a case's free text (statement, messages, answers, the
                                           decision's findings and reasons, the provisional step's
                                           shared text and the parties' comments, a review's reasons, information
                                           requests' questions, the holders' correction evidence,
                                           deadline pause/extension reasons) replaced by "[erased]",
                                           its files deleted; kinds, dates, outcomes, orders and the
                                           public summary stay (statistics and registers read them)
    persons_erase(citizen_ids=...)         the person's record: name "[erased]", contact details and
                                           date of birth emptied, the ID number's ciphertext removed,
                                           the keyed hash kept only while a re-insertion watch holds
                                           it (`hashes_release`), the agencies' record text erased

Each works on a batch with a fixed number of queries (one statement per table, not per row),
locks the cases first in primary-key order (house rule 2's lock order), writes one timeline event
per case and one `Erasure` audit row per subject, and skips what is already erased, so running it
twice changes nothing. Files are deleted before the rows are marked: if the transaction fails, the
next run finds the rows unmarked and finishes (deleting a missing file is a no-op).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from citizens.models import BlacklistEntry, Citizen, CreditScoreRecord
from clocks.models import Clock, ClockPause
from complaints.lifecycle import case_events_insert
from complaints.models import AgencyResponse, Attachment, CaseEvent, Complaint, search_text_of
from complaints.transitions import TERMINAL_STATUSES
from kernel.actors import Actor
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from tribunal.models import (
    CorrectionOrder,
    DeletionWatch,
    Determination,
    DeterminationReview,
    InformationDocument,
    InformationRequest,
    ProvisionalComment,
)

from .models import ERASED, DeletionRequest, Erasure, ErasureKind, ErasureTrigger

TERMINAL = [s.value for s in TERMINAL_STATUSES]
ERASED_HASH_PREFIX = "erased:"


def _lock_finished_cases(complaint_ids: Iterable[int], *, not_erased: bool = False) -> list[Complaint]:
    """Lock the cases (complaint rows first, in primary-key order) and keep those still finished:
    a case reopened since it was selected is left alone; with `not_erased`, so is one that a run
    at the same time erased while this one waited for the lock."""
    qs = Complaint.objects.select_for_update(of=("self",)).filter(pk__in=list(complaint_ids), status__in=TERMINAL)
    if not_erased:
        qs = qs.exclude(case_erased_q())
    return list(qs.select_related("respondent").order_by("pk"))


def _files_of(complaint_ids: list[int]) -> tuple[list[Attachment], list[InformationDocument]]:
    attachments = list(Attachment.objects.filter(complaint_id__in=complaint_ids).exclude(file="").order_by("pk"))
    documents = list(
        InformationDocument.objects.filter(request__complaint_id__in=complaint_ids)
        .exclude(file="")
        .select_related("request")
        .order_by("pk")
    )
    return attachments, documents


def _delete_files(attachments: list[Attachment], documents: list[InformationDocument]) -> dict[int, int]:
    """Delete the files from storage, then mark their rows; returns {complaint_id: files deleted}."""
    per_case: dict[int, int] = defaultdict(int)
    for a in attachments:
        default_storage.delete(a.file.name or "")
        per_case[a.complaint_id] += 1
    for d in documents:
        default_storage.delete(d.file.name or "")
        per_case[d.request.complaint_id] += 1
    if attachments:
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(file="", original_name=ERASED)
    if documents:
        InformationDocument.objects.filter(pk__in=[d.pk for d in documents]).update(file="", original_name=ERASED)
    return per_case


def case_files_delete(*, complaint_ids: Iterable[int], now: datetime) -> int:
    """Delete the evidence files of these finished cases (retention: `evidence_files`). Returns how
    many files were deleted."""
    with transaction.atomic():
        cases = _lock_finished_cases(complaint_ids)
        ids = [c.pk for c in cases]
        attachments, documents = _files_of(ids)
        per_case = _delete_files(attachments, documents)
        by_id = {c.pk: c for c in cases}
        case_events_insert(
            actor=Actor.system(),
            now=now,
            events=[
                {
                    "complaint": by_id[cid],
                    "kind": CaseEventKind.EVIDENCE_FILES_DELETED,
                    "data": {"files": n, "trigger": ErasureTrigger.SCHEDULE.value},
                    "visibility": Visibility.CITIZEN,
                }
                for cid, n in sorted(per_case.items())
            ],
        )
        Erasure.objects.bulk_create(
            Erasure(
                kind=ErasureKind.FILES,
                subject_id=cid,
                citizen_id=by_id[cid].citizen_id,
                at=now,
                trigger=ErasureTrigger.SCHEDULE,
                counts={"files": n},
            )
            for cid, n in sorted(per_case.items())
        )
    return sum(per_case.values())


def _erased_corrections(corrections: Any) -> list[dict[str, str]]:
    if not isinstance(corrections, list):
        return []
    return [
        {"field": str(c.get("field", "")) if isinstance(c, dict) else "", "old_value": ERASED, "new_value": ERASED}
        for c in corrections
    ]


def _erased_values(evidence: Any) -> dict[str, str]:
    return {str(k): ERASED for k in evidence} if isinstance(evidence, dict) else {}


def cases_erase(
    *,
    complaint_ids: Iterable[int],
    now: datetime,
    trigger: ErasureTrigger = ErasureTrigger.SCHEDULE,
    request: DeletionRequest | None = None,
) -> list[int]:
    """Erase the personal data of these finished cases (see the module docstring). Must run inside
    `transaction.atomic()`. Returns the ids of the cases erased now."""
    cases = _lock_finished_cases(complaint_ids, not_erased=True)
    ids = [c.pk for c in cases]
    if not ids:
        return []
    attachments, documents = _files_of(ids)
    files = _delete_files(attachments, documents)

    for c in cases:
        c.statement = ERASED
        c.remedy_detail = ""
        c.urgency_detail = ""
        if c.other_record_description:
            c.other_record_description = ERASED
        # What the officers' search reads: the reference and the respondent only.
        c.search_text = search_text_of(c.reference, c.respondent.name_en, c.respondent.name_zh)
    Complaint.objects.bulk_update(
        cases, ["statement", "remedy_detail", "urgency_detail", "other_record_description", "search_text"]
    )
    messages = CaseEvent.objects.filter(complaint_id__in=ids).exclude(message="").exclude(message=ERASED)
    counts_messages = dict.fromkeys(ids, 0)
    for cid in messages.values_list("complaint_id", flat=True):
        counts_messages[cid] += 1
    messages.erase_messages(ERASED)

    responses = list(AgencyResponse.objects.filter(complaint_id__in=ids).order_by("pk"))
    for r in responses:
        r.explanation = ERASED
        r.corrections = _erased_corrections(r.corrections)
    AgencyResponse.objects.bulk_update(responses, ["explanation", "corrections"])
    requests = list(InformationRequest.objects.filter(complaint_id__in=ids).order_by("pk"))
    for ir in requests:
        ir.questions = [ERASED for _q in ir.questions or []]
        ir.requested_documents = [ERASED for _d in ir.requested_documents or []]
        ir.answer_text = ERASED if ir.answer_text else ""
        ir.answers = [{"question": ERASED, "answer": ERASED} for _a in ir.answers or []]
    InformationRequest.objects.bulk_update(requests, ["questions", "requested_documents", "answer_text", "answers"])
    # The public summary, the outcome, the remedies and the number stay: the register shows them.
    # The provisional step keeps what was shared (findings and reasons) and the parties' comments.
    decisions = list(Determination.objects.filter(complaint_id__in=ids).order_by("pk"))
    for d in decisions:
        d.findings = ERASED
        d.reasons = ERASED
        if d.comments_considered:
            d.comments_considered = ERASED
        if d.provisional_text:
            d.provisional_text = {**d.provisional_text, "findings": ERASED, "reasons": ERASED}
    Determination.objects.bulk_update(decisions, ["findings", "reasons", "comments_considered", "provisional_text"])
    ProvisionalComment.objects.filter(determination__complaint_id__in=ids).update(text=ERASED, author_label=ERASED)
    # A review keeps its outcome and times; the party's reasons and the senior's go.
    reviews = DeterminationReview.objects.filter(determination__complaint_id__in=ids)
    reviews.update(reasons=ERASED, requested_by_label=ERASED)
    reviews.exclude(decision_reasons="").update(decision_reasons=ERASED)
    # Orders keep their status, holders and actions (the statistics count them); the record as it
    # was and as it is after the correction (the holder's evidence) keeps its keys only.
    orders = list(CorrectionOrder.objects.filter(complaint_id__in=ids).order_by("pk"))
    for o in orders:
        o.evidence_before = _erased_values(o.evidence_before)
        o.evidence_after = _erased_values(o.evidence_after)
        o.confirmation_note = ERASED if o.confirmation_note else ""
        o.waiver_reason = ERASED if o.waiver_reason else ""
    CorrectionOrder.objects.bulk_update(
        orders, ["evidence_before", "evidence_after", "confirmation_note", "waiver_reason"]
    )
    # Officers' reasons for pausing, extending or cancelling a deadline (the times stay).
    Clock.objects.filter(complaint_id__in=ids).exclude(extension_reason="").update(extension_reason=ERASED)
    Clock.objects.filter(complaint_id__in=ids).exclude(cancel_reason="").update(cancel_reason=ERASED)
    ClockPause.objects.filter(clock__complaint_id__in=ids).exclude(reason="").update(reason=ERASED)

    case_events_insert(
        actor=Actor.system(),
        now=now,
        events=[
            {
                "complaint": c,
                "kind": CaseEventKind.PERSONAL_DATA_ERASED,
                "data": {"trigger": trigger.value, "files": files.get(c.pk, 0), "messages": counts_messages[c.pk]},
                "visibility": Visibility.CITIZEN,
            }
            for c in cases
        ],
    )
    Erasure.objects.bulk_create(
        Erasure(
            kind=ErasureKind.CASE,
            subject_id=c.pk,
            citizen_id=c.citizen_id,
            at=now,
            trigger=trigger,
            request=request,
            counts={"files": files.get(c.pk, 0), "messages": counts_messages[c.pk], "responses": 1},
        )
        for c in cases
    )
    return ids


def case_erased_q() -> Q:
    """Complaints whose personal data was erased after they were last closed."""
    return Q(
        Exists(Erasure.objects.filter(kind=ErasureKind.CASE, subject_id=OuterRef("pk"), at__gte=OuterRef("closed_at")))
    )


def persons_due(citizen_ids: Iterable[int]) -> list[int]:
    """Of these people, those whose every case is finished and erased, and who are not erased yet."""
    ids = list(citizen_ids)
    pending = Complaint.objects.filter(citizen_id=OuterRef("pk")).exclude(case_erased_q())
    erased = Erasure.objects.filter(kind=ErasureKind.PERSON, subject_id=OuterRef("pk"))
    return list(
        Citizen.objects.filter(pk__in=ids, complaints__isnull=False)
        .exclude(Exists(pending))
        .exclude(Exists(erased))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def persons_erase(
    *,
    citizen_ids: Iterable[int],
    now: datetime,
    trigger: ErasureTrigger = ErasureTrigger.SCHEDULE,
    request: DeletionRequest | None = None,
) -> list[int]:
    """Erase these people's records (callers pass `persons_due` ids). Must run inside
    `transaction.atomic()`, after their cases are erased."""
    already = Erasure.objects.filter(kind=ErasureKind.PERSON, subject_id=OuterRef("pk"))
    people = list(
        Citizen.objects.select_for_update().filter(pk__in=list(citizen_ids)).exclude(Exists(already)).order_by("pk")
    )
    if not people:
        return []
    watched = set(
        DeletionWatch.objects.filter(active=True, citizen_match_token__in=[p.national_id_hash for p in people])
        .values_list("citizen_match_token", flat=True)
        .order_by()
    )
    for p in people:
        p.full_name = ERASED
        p.email = ""
        p.phone = ""
        p.address = ""
        p.date_of_birth = None
        p.national_id_ciphertext = ""
        p.national_id_masked = ""
        if p.national_id_hash not in watched:
            p.national_id_hash = f"{ERASED_HASH_PREFIX}{p.pk}"
    Citizen.objects.bulk_update(
        people,
        [
            "full_name",
            "email",
            "phone",
            "address",
            "date_of_birth",
            "national_id_ciphertext",
            "national_id_masked",
            "national_id_hash",
        ],
    )
    ids = [p.pk for p in people]
    entries = BlacklistEntry.objects.filter(citizen_id__in=ids).update(reason=ERASED)
    CreditScoreRecord.objects.filter(citizen_id__in=ids).update(factors=[])
    Erasure.objects.bulk_create(
        Erasure(
            kind=ErasureKind.PERSON,
            subject_id=p.pk,
            citizen_id=p.pk,
            at=now,
            trigger=trigger,
            request=request,
            counts={"records": entries, "hash_kept": int(p.national_id_hash in watched)},
        )
        for p in people
    )
    return ids


def hashes_release(*, batch_size: int) -> int:
    """Erased people's ID-number hashes that no active re-insertion watch holds any more: replaced
    by a placeholder (the column is unique). Returns how many."""
    watched = DeletionWatch.objects.filter(active=True, citizen_match_token=OuterRef("national_id_hash"))
    released = 0
    while True:
        people = list(
            Citizen.objects.filter(
                Exists(Erasure.objects.filter(kind=ErasureKind.PERSON, subject_id=OuterRef("pk"))),
            )
            .exclude(national_id_hash__startswith=ERASED_HASH_PREFIX)
            .exclude(Exists(watched))
            .order_by("pk")[:batch_size]
        )
        if not people:
            return released
        for p in people:
            p.national_id_hash = f"{ERASED_HASH_PREFIX}{p.pk}"
        Citizen.objects.bulk_update(people, ["national_id_hash"])
        released += len(people)
