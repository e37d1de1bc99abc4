"""Writes of the tribunal (house rules 1-2): information requests, determinations, correction
orders and their propagation to every holder of the record, the re-insertion watch and the
scoring-criteria register. Case status changes go through `complaints.services`, inside these
services' transactions; side effects leave through the outbox."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from agencies.models import Agency, RecordCategory
from citizens.models import RecordStatus, Sanction
from clocks.models import ACTIVE_STATUSES, Clock
from clocks.services import clock_cancel, clock_meet, clock_start
from complaints import services as complaint_services
from complaints.lifecycle import case_event_record
from complaints.models import AgencyOutcome, AgencyResponse, Complaint
from complaints.transitions import Status
from kernel import uploads
from kernel.actors import Actor, ActorKind
from kernel.errors import Conflict, NotAllowed, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from outbox.services import outbox_email, outbox_webhook

from . import selectors
from .models import (
    RECORD_REMEDIES,
    CorrectionOrder,
    CorrectionTrigger,
    CriteriaDisclosure,
    DeletionWatch,
    Determination,
    DeterminationStatus,
    InformationDocument,
    InformationRequest,
    InformationRequestStatus,
    OrderStatus,
    Outcome,
    RemedyKind,
    ReportedRecord,
)
from .propagation import Reach, paths_to, propagate

MAX_TEXT = 20_000
MAX_ITEMS = 50
DEFAULT_INFORMATION_DAYS = 15
MAX_FILES = 10


# --- clocks -----------------------------------------------------------------------------------


def _clock_start(
    *, complaint: Complaint, obligation: str, agency: Agency, subject_key: str, now: datetime, actor: Actor
) -> datetime:
    """Start the legal clock for the duty and return its due time."""
    clock = clock_start(
        complaint=complaint, obligation=obligation, now=now, agency=agency, subject_key=subject_key, actor=actor
    )
    return clock.due_at


def _clock_meet(
    *, complaint_id: int, obligation: str, agency_id: int, subject_key: str, now: datetime, actor: Actor
) -> None:
    clock_meet(
        complaint_id=complaint_id,
        obligation=obligation,
        now=now,
        actor=actor,
        agency_id=agency_id,
        subject_key=subject_key,
    )


def _clock_cancel(
    *, complaint_id: int, obligation: str, agency_id: int, subject_key: str, now: datetime, actor: Actor, reason: str
) -> None:
    clock_ids = Clock.objects.filter(
        complaint_id=complaint_id,
        obligation=obligation,
        agency_id=agency_id,
        subject_key=subject_key,
        status__in=ACTIVE_STATUSES,
    ).values_list("id", flat=True)
    for clock_id in clock_ids:
        clock_cancel(clock_id=clock_id, reason=reason, now=now, actor=actor)


# --- shared checks ----------------------------------------------------------------------------


def _require_officer(actor: Actor) -> User:
    if not actor.is_officer or actor.user is None:
        raise NotAllowed(_("Only ombudsman officers can do this."))
    return actor.user


def _require_senior(actor: Actor) -> User:
    if actor.kind != ActorKind.SENIOR_OFFICER or actor.user is None:
        raise NotAllowed(_("Only a senior officer can do this."))
    return actor.user


def _text(value: object, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value if isinstance(value, str) else "").strip()
    if required and not text:
        raise ServiceError(f"{field.replace('_', ' ').capitalize()} is required.", field=field)
    if len(text) > limit:
        raise ServiceError(f"Keep {field.replace('_', ' ')} under {limit} characters.", field=field)
    return text


def _string_list(values: object, *, field: str, required: bool) -> list[str]:
    if values is None:
        values = []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ServiceError(f"{field} must be a list of texts.", field=field)
    items = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if len(items) != len(list(values)):
        raise ServiceError(f"Every item of {field} must be a non-empty text.", field=field)
    if required and not items:
        raise ServiceError(f"Give at least one item in {field}.", field=field)
    if len(items) > MAX_ITEMS:
        raise ServiceError(f"At most {MAX_ITEMS} items in {field}.", field=field)
    return items


def _agency_label(agency: Agency) -> str:
    return agency.name_en


def _notify_officer(complaint: Complaint, *, subject: str, body: str, key: str, now: datetime) -> None:
    """Email the assigned officer, or every senior officer when nobody is assigned."""
    if complaint.assigned_officer_id is not None:
        recipients = [complaint.assigned_officer.email] if complaint.assigned_officer else []
    else:
        recipients = list(
            User.objects.filter(role=Role.SENIOR_OFFICER, is_active=True).order_by("id").values_list("email", flat=True)
        )
    for i, to in enumerate(recipients):
        outbox_email(
            to=to,
            subject=subject,
            body=body,
            topic="email.officer_alert",
            dedupe_key=f"{key}:{i}",
            now=now,
            complaint_id=complaint.pk,
        )


# --- information requests ---------------------------------------------------------------------


def information_request_create(
    *,
    complaint_id: int,
    agency: Agency,
    actor: Actor,
    questions: Sequence[str],
    now: datetime,
    requested_documents: Sequence[str] = (),
) -> InformationRequest:
    """Demand information from any agency (a party or not) during an investigation; its clock
    (obligation `information_request`, 15 days by default) starts now."""
    user = _require_officer(actor)
    qs = _string_list(questions, field="questions", required=True)
    docs = _string_list(requested_documents, field="requested_documents", required=False)
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("citizen", "blacklist_entry")
            .get(pk=complaint_id)
        )
        if complaint.status != Status.INVESTIGATION:
            raise Conflict(
                _("Information can be requested only while the case is under investigation."), field="status"
            )
        request = InformationRequest.objects.create(
            complaint=complaint,
            agency=agency,
            questions=qs,
            requested_documents=docs,
            due_at=now + timedelta(days=DEFAULT_INFORMATION_DAYS),
            created_by=user,
            created_at=now,
        )
        due_at = _clock_start(
            complaint=complaint,
            obligation="information_request",
            agency=agency,
            subject_key=request.subject_key,
            now=now,
            actor=actor,
        )
        request.due_at = due_at
        request.save(update_fields=["due_at"])
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind=CaseEventKind.INFORMATION_REQUESTED,
            now=now,
            message=f"Information requested from {_agency_label(agency)} (answer due {due_at:%Y-%m-%d}).",
            data={
                "information_request_id": request.pk,
                "agency": agency.slug,
                "questions": len(qs),
                "documents": len(docs),
            },
            visibility=Visibility.CITIZEN,
        )
        outbox_webhook(
            agency_id=agency.pk,
            event_type="information_request.created",
            data=information_request_payload(request),
            dedupe_key=f"information_request:{request.pk}:created",
            now=now,
            complaint_id=complaint.pk,
        )
    return request


def information_request_payload(request: InformationRequest) -> dict[str, Any]:
    complaint = request.complaint
    entry = complaint.blacklist_entry
    return {
        "id": request.pk,
        "case_reference": complaint.reference,
        "status": request.status,
        "questions": request.questions,
        "requested_documents": request.requested_documents,
        "due_at": request.due_at.isoformat(),
        "created_at": request.created_at.isoformat(),
        "subject": {
            "full_name": complaint.citizen.full_name,
            "national_id_masked": complaint.citizen.national_id_masked,
            "record_holder": complaint.respondent.slug,
            "record_reference": entry.agency_record_id if entry else "",
        },
    }


@dataclass(frozen=True)
class Upload:
    fileobj: IO[bytes]
    filename: str
    size: int | None = None


def information_request_answer(
    *,
    request_id: int,
    actor: Actor,
    answer_text: str,
    now: datetime,
    answers: Sequence[dict[str, Any]] | None = None,
    files: Sequence[Upload] = (),
) -> InformationRequest:
    """The agency answers, with files; its clock is met and the officer is told."""
    if actor.kind != ActorKind.AGENCY or actor.agency is None:
        raise NotAllowed(_("Only the agency asked can answer an information request."))
    text = _text(answer_text, field="answer_text")
    structured: list[dict[str, str]] = []
    for i, item in enumerate(answers or []):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("question"), str)
            or not isinstance(item.get("answer"), str)
        ):
            raise ServiceError(f"answers[{i}] must be an object with text 'question' and 'answer'.", field="answers")
        structured.append({"question": item["question"].strip()[:2000], "answer": item["answer"].strip()[:MAX_TEXT]})
    if len(files) > MAX_FILES:
        raise ServiceError(f"Send at most {MAX_FILES} files.", field="files")
    checked = [(f, *uploads.read_checked(f.fileobj, f.size)) for f in files]
    with transaction.atomic():
        request = (
            InformationRequest.objects.select_for_update(of=("self",))
            .select_related("complaint", "agency")
            .get(pk=request_id)
        )
        if request.agency_id != actor.agency.pk:
            raise NotAllowed(_("This information request was sent to another agency."))
        if request.status != InformationRequestStatus.OPEN:
            raise Conflict(
                _("This information request is already %(status)s.") % {"status": request.status}, field="status"
            )
        request.status = InformationRequestStatus.ANSWERED
        request.answer_text = text
        request.answers = structured
        request.answered_at = now
        request.answered_by_label = actor.display[:200]
        request.save(update_fields=["status", "answer_text", "answers", "answered_at", "answered_by_label"])
        for upload, content, mime, ext, digest in checked:
            doc = InformationDocument(
                request=request,
                stored_name=uploads.new_stored_name(ext),
                original_name=uploads.safe_original_name(upload.filename),
                content_type=mime,
                size=len(content),
                sha256=digest,
                created_at=now,
            )
            doc.file.save(doc.stored_name, ContentFile(content), save=False)
            doc.save()
        _clock_meet(
            complaint_id=request.complaint_id,
            obligation="information_request",
            agency_id=request.agency_id,
            subject_key=request.subject_key,
            now=now,
            actor=actor,
        )
        complaint = request.complaint
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind=CaseEventKind.INFORMATION_ANSWERED,
            now=now,
            message=f"{_agency_label(request.agency)} answered the information request ({len(checked)} file(s)).",
            data={"information_request_id": request.pk, "files": len(checked)},
            visibility=Visibility.CITIZEN,
        )
        _notify_officer(
            complaint,
            subject=f"{complaint.reference}: information request answered",
            body=f"{request.agency.name_en} answered information request IR-{request.pk} on {complaint.reference}.",
            key=f"information_request:{request.pk}:answered",
            now=now,
        )
    return request


def information_request_cancel(*, request_id: int, actor: Actor, reason: str, now: datetime) -> InformationRequest:
    _require_officer(actor)
    reason = _text(reason, field="reason")
    with transaction.atomic():
        request = (
            InformationRequest.objects.select_for_update(of=("self",))
            .select_related("complaint", "agency")
            .get(pk=request_id)
        )
        if request.status != InformationRequestStatus.OPEN:
            raise Conflict(_("Only an open request can be cancelled."), field="status")
        request.status = InformationRequestStatus.CANCELLED
        request.save(update_fields=["status"])
        _clock_cancel(
            complaint_id=request.complaint_id,
            obligation="information_request",
            agency_id=request.agency_id,
            subject_key=request.subject_key,
            now=now,
            actor=actor,
            reason=reason,
        )
        case_event_record(
            complaint=request.complaint,
            actor=actor,
            kind=CaseEventKind.INFORMATION_REQUEST_CANCELLED,
            now=now,
            message=reason,
            data={"information_request_id": request.pk},
        )
    return request


# --- determinations ---------------------------------------------------------------------------

# 15- or 18-character PRC ID numbers, passport-like codes, and any run of 6+ digits (with or
# without separators): none of these belong in a public summary.
_ID_PATTERNS = [
    re.compile(r"\d{17}[\dXx]"),
    re.compile(r"(?<![\w])[A-Za-z]{1,2}\d{6,}"),
    re.compile(r"\d(?:[\s\-./]?\d){5,}"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
]


_DATES = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?:[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|年\d{1,2}月\d{1,2}日)(?!\d)"
)


def public_summary_problems(summary: str, complaint: Complaint) -> list[str]:
    """Why `summary` may not be published: the citizen's (or filer's) name, an ID number or
    anything that looks like one, an email address, or the record's reference."""
    problems: list[str] = []
    folded = summary.casefold()
    names = {complaint.citizen.full_name, complaint.filed_by.full_name}
    for name in filter(None, (n.strip() for n in names)):
        if name.casefold() in folded:
            problems.append("it contains the name of a party")
            break
    entry = complaint.blacklist_entry
    refs = [entry.agency_record_id] if entry else []
    if complaint.score_record and complaint.score_record.agency_record_id:
        refs.append(complaint.score_record.agency_record_id)
    if any(r and r.casefold() in folded for r in refs):
        problems.append("it contains the record's reference")
    try:
        raw_id = complaint.citizen.reveal_national_id()
    except Exception:  # key rotated away: the patterns below still catch ID-like numbers
        raw_id = ""
    if raw_id and raw_id.casefold() in folded:
        problems.append("it contains the national ID number")
    # Dates are fine ("listed on 2025-06-02"); take them out before looking for ID-like numbers.
    without_dates = _DATES.sub(" ", summary)
    if any(p.search(without_dates) for p in _ID_PATTERNS):
        problems.append("it contains something that looks like an ID number, phone number or email address")
    return problems


def _validated_remedies(outcome: str, remedies: object) -> list[dict[str, Any]]:
    if remedies is None:
        remedies = []
    if not isinstance(remedies, list):
        raise ServiceError("remedies must be a list of objects with a 'kind'.", field="remedies")
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(remedies):
        where = f"remedies[{i}]"
        if not isinstance(raw, dict) or raw.get("kind") not in RemedyKind.values:
            raise ServiceError(f"{where}.kind must be one of {', '.join(RemedyKind.values)}.", field="remedies")
        kind = raw["kind"]
        item: dict[str, Any] = {"kind": kind}
        detail = raw.get("detail", "")
        if not isinstance(detail, str) or len(detail) > 2000:
            raise ServiceError(f"{where}.detail must be a text under 2000 characters.", field="remedies")
        if detail.strip():
            item["detail"] = detail.strip()
        if kind == RemedyKind.CORRECT_FIELD:
            field = raw.get("field")
            if not isinstance(field, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", field):
                raise ServiceError(f"{where}.field must name the record's field (e.g. 'reason').", field="remedies")
            new_value = raw.get("new_value")
            if not isinstance(new_value, str | int | float | bool | type(None)):
                raise ServiceError(f"{where}.new_value must be a plain value.", field="remedies")
            item.update(field=field, new_value=new_value)
        elif kind == RemedyKind.LIFT_SANCTION:
            if raw.get("sanction") not in Sanction.values:
                raise ServiceError(f"{where}.sanction must be one of {', '.join(Sanction.values)}.", field="remedies")
            item["sanction"] = raw["sanction"]
        elif kind == RemedyKind.COMPENSATION:
            try:
                amount = Decimal(str(raw.get("amount")))
            except InvalidOperation:
                amount = Decimal(0)
            if not amount.is_finite() or amount <= 0 or amount > Decimal("100000000"):
                raise ServiceError(f"{where}.amount must be a positive amount.", field="remedies")
            currency = raw.get("currency", "CNY")
            if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
                raise ServiceError(f"{where}.currency must be an ISO 4217 code such as CNY.", field="remedies")
            item.update(amount=str(amount.quantize(Decimal("0.01"))), currency=currency)
        if any(
            r["kind"] == kind and r.get("field") == item.get("field") and r.get("sanction") == item.get("sanction")
            for r in out
        ):
            raise ServiceError(f"{where} repeats an earlier remedy.", field="remedies")
        out.append(item)
    if outcome == Outcome.NOT_UPHELD and out:
        raise ServiceError(_("A complaint that is not upheld orders no remedies."), field="remedies")
    if outcome in (Outcome.UPHELD, Outcome.PARTLY_UPHELD) and not out:
        raise ServiceError(_("An upheld complaint must order at least one remedy."), field="remedies")
    kinds = {r["kind"] for r in out}
    if RemedyKind.DELETE_ENTRY in kinds and kinds & {RemedyKind.CORRECT_FIELD, RemedyKind.ANNOTATE}:
        raise ServiceError(_("An entry that is deleted cannot also be corrected or annotated."), field="remedies")
    return out


def determination_save_draft(
    *,
    complaint_id: int,
    actor: Actor,
    outcome: str,
    findings: str,
    reasons: str,
    public_summary: str,
    now: datetime,
    remedies: list[dict[str, Any]] | None = None,
) -> Determination:
    """Create or update the case's draft. Whoever saves it last is its drafter (and so cannot sign it)."""
    user = _require_officer(actor)
    if outcome not in Outcome.values:
        raise ServiceError(f"outcome must be one of {', '.join(Outcome.values)}.", field="outcome")
    findings = _text(findings, field="findings")
    reasons = _text(reasons, field="reasons")
    summary = _text(public_summary, field="public_summary", limit=4000)
    clean_remedies = _validated_remedies(outcome, remedies)
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("citizen", "filed_by", "blacklist_entry", "score_record")
            .get(pk=complaint_id)
        )
        if complaint.status != Status.INVESTIGATION:
            raise Conflict(_("A determination is drafted while the case is under investigation."), field="status")
        problems = public_summary_problems(summary, complaint)
        if problems:
            raise ServiceError(
                "The public summary cannot be published: " + "; ".join(problems) + ".", field="public_summary"
            )
        record_kinds = {r["kind"] for r in clean_remedies} & RECORD_REMEDIES
        if record_kinds and complaint.disputed_record is None and not complaint.other_record_description:
            raise ServiceError(_("There is no record to correct on this case."), field="remedies")
        draft = (
            Determination.objects.select_for_update()
            .filter(complaint=complaint, status=DeterminationStatus.DRAFT)
            .first()
        )
        created = draft is None
        if draft is None:
            draft = Determination(complaint=complaint, drafted_at=now)
        draft.outcome = outcome
        draft.findings = findings
        draft.reasons = reasons
        draft.remedies = clean_remedies
        draft.public_summary = summary
        draft.drafted_by = user
        draft.updated_at = now
        draft.save()
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind=CaseEventKind.DETERMINATION_DRAFTED if created else CaseEventKind.DETERMINATION_DRAFT_UPDATED,
            now=now,
            message=f"Draft determination ({outcome.replace('_', ' ')}) saved.",
            data={"determination_id": draft.pk, "outcome": outcome, "remedies": draft.remedy_kinds},
        )
    return draft


def determination_sign(*, determination_id: int, actor: Actor, now: datetime) -> Determination:
    """A senior officer who did not draft it signs the determination: it is issued (the case moves
    to `determination`), the citizen and the agency are told, and correction orders go to the
    respondent and every agency the record travelled to; the case moves to `compliance` (or
    closes when nothing is ordered)."""
    signer = _require_senior(actor)
    with transaction.atomic():
        det = Determination.objects.select_for_update().get(pk=determination_id)
        if det.status != DeterminationStatus.DRAFT:
            raise Conflict(_("This determination has already been issued."), field="status")
        if det.drafted_by_id == signer.pk:
            raise NotAllowed(_("The officer who drafted a determination cannot sign it; another senior officer must."))
        complaint = Complaint.objects.select_related(
            "citizen", "filed_by", "respondent", "blacklist_entry__category", "score_record"
        ).get(pk=det.complaint_id)
        problems = public_summary_problems(det.public_summary, complaint)
        if problems:
            raise ServiceError(
                "The public summary cannot be published: " + "; ".join(problems) + ".", field="public_summary"
            )
        det.status = DeterminationStatus.ISSUED
        det.signed_by = signer
        det.issued_at = now
        det.number = f"D-{now.year}-{det.pk:06d}"
        det.updated_at = now
        det.save(update_fields=["status", "signed_by", "issued_at", "number", "updated_at"])
        complaint = complaint_services.complaint_issue_determination(
            complaint_id=complaint.pk,
            actor=actor,
            now=now,
            summary=f"Determination {det.number}: {det.get_outcome_display()}. {det.public_summary}",
        )
        orders = _order_from_determination(det, complaint, actor=actor, now=now)
        outbox_webhook(
            agency_id=complaint.respondent_id,
            event_type="determination.issued",
            data=determination_payload(det, orders),
            dedupe_key=f"determination:{det.pk}:issued",
            now=now,
            complaint_id=complaint.pk,
        )
        if orders:
            complaint_services.complaint_start_compliance(
                complaint_id=complaint.pk,
                actor=actor,
                now=now,
                note=f"Correction orders sent to {len(orders)} agencies: "
                + ", ".join(o.agency.name_en for o in orders)
                + ".",
            )
        else:
            complaint_services.complaint_close(
                complaint_id=complaint.pk, actor=Actor.system(), now=now, note=_("Nothing to carry out; case closed.")
            )
    return det


def determination_payload(det: Determination, orders: Sequence[CorrectionOrder]) -> dict[str, Any]:
    return {
        "number": det.number,
        "case_reference": det.complaint.reference,
        "outcome": det.outcome,
        "findings": det.findings,
        "reasons": det.reasons,
        "remedies": det.remedies,
        "public_summary": det.public_summary,
        "issued_at": det.issued_at.isoformat() if det.issued_at else None,
        "correction_orders": [{"id": o.pk, "agency": o.agency.slug} for o in orders],
    }


# --- correction orders ------------------------------------------------------------------------


def _origin_record(complaint: Complaint) -> tuple[RecordCategory | None, str]:
    entry = complaint.blacklist_entry
    if entry is not None:
        return entry.category, entry.agency_record_id
    if complaint.score_record is not None:
        return None, complaint.score_record.agency_record_id
    return None, ""


def _create_orders(
    *,
    complaint: Complaint,
    origin: Agency,
    reaches: list[Reach[int]],
    actions_for: dict[bool, list[dict[str, Any]]],
    trigger: str,
    determination: Determination | None,
    agency_response: AgencyResponse | None,
    actor: Actor,
    now: datetime,
) -> list[CorrectionOrder]:
    category, record_ref = _origin_record(complaint)
    agencies = Agency.objects.in_bulk({r.agency for r in reaches} | {origin.pk})
    chains = paths_to(reaches)
    orders: list[CorrectionOrder] = []
    for reach in reaches:
        is_origin = reach.agency == origin.pk
        actions = actions_for[is_origin]
        if not actions:
            continue
        agency = agencies[reach.agency]
        order = CorrectionOrder.objects.create(
            complaint=complaint,
            agency=agency,
            trigger=trigger,
            determination=determination,
            agency_response=agency_response,
            received_via_id=reach.via,
            path=[agencies[a].slug for a in chains[reach.agency]],
            depth=reach.depth,
            actions=actions,
            record_reference=record_ref,
            category=category,
            ordered_at=now,
            due_at=now,
        )
        order.due_at = _clock_start(
            complaint=complaint,
            obligation="compliance",
            agency=agency,
            subject_key=order.subject_key,
            now=now,
            actor=actor,
        )
        order.save(update_fields=["due_at"])
        via = f" (received the record from {agencies[reach.via].name_en})" if reach.via is not None else ""
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind=CaseEventKind.CORRECTION_ORDERED,
            now=now,
            message=f"Correction order sent to {agency.name_en}{via}; due {order.due_at:%Y-%m-%d}.",
            data={
                "order_id": order.pk,
                "agency": agency.slug,
                "depth": reach.depth,
                "path": order.path,
                "actions": [a["kind"] for a in actions],
            },
            visibility=Visibility.CITIZEN,
        )
        outbox_webhook(
            agency_id=agency.pk,
            event_type="correction.ordered",
            data=correction_order_payload(order),
            dedupe_key=f"correction_order:{order.pk}:ordered",
            now=now,
            complaint_id=complaint.pk,
        )
        orders.append(order)
    if any(a["kind"] == RemedyKind.DELETE_ENTRY for acts in actions_for.values() for a in acts):
        _watch_deletion(complaint=complaint, agencies=[origin, *(o.agency for o in orders)], now=now)
    return orders


def _order_from_determination(
    det: Determination, complaint: Complaint, *, actor: Actor, now: datetime
) -> list[CorrectionOrder]:
    if not det.remedies:
        return []
    _supersede_self_correction_orders(complaint, det, actor=actor, now=now)
    record_actions = [r for r in det.remedies if r["kind"] in RECORD_REMEDIES]
    category, _ref = _origin_record(complaint)
    origin = complaint.respondent
    if record_actions:
        adjacency = selectors.sharing_adjacency(category_id=category.pk if category else None, on=now.date())
        reaches = propagate(origin.pk, adjacency)
    else:
        reaches = [Reach(origin.pk, None, 0)]
    return _create_orders(
        complaint=complaint,
        origin=origin,
        reaches=reaches,
        actions_for={True: list(det.remedies), False: record_actions},
        trigger=CorrectionTrigger.DETERMINATION,
        determination=det,
        agency_response=None,
        actor=actor,
        now=now,
    )


def _supersede_self_correction_orders(complaint: Complaint, det: Determination, *, actor: Actor, now: datetime) -> None:
    """Orders still pending from the holder's own correction are replaced by the determination's
    (so each agency has one order to carry out for the record, not two)."""
    pending = CorrectionOrder.objects.select_for_update().filter(
        complaint=complaint, trigger=CorrectionTrigger.AGENCY_CORRECTION, status=OrderStatus.ORDERED
    )
    for order in pending.select_related("agency"):
        order.status = OrderStatus.SUPERSEDED
        order.save(update_fields=["status"])
        _order_ended(
            order,
            actor=actor,
            now=now,
            kind=CaseEventKind.CORRECTION_SUPERSEDED,
            clock_reason=f"Replaced by the order of determination {det.number}.",
            message=f"The earlier order to {order.agency.name_en} is replaced by determination {det.number}.",
        )


def _order_ended(
    order: CorrectionOrder, *, actor: Actor, now: datetime, kind: str, clock_reason: str, message: str
) -> None:
    """An order that will not be carried out (waived, superseded): stop its clock, say so on the timeline."""
    _clock_cancel(
        complaint_id=order.complaint_id,
        obligation="compliance",
        agency_id=order.agency_id,
        subject_key=order.subject_key,
        now=now,
        actor=actor,
        reason=clock_reason,
    )
    case_event_record(
        complaint=order.complaint,
        actor=actor,
        kind=kind,
        now=now,
        message=message,
        data={"order_id": order.pk, "agency": order.agency.slug},
        visibility=Visibility.CITIZEN,
    )


def correction_order_payload(order: CorrectionOrder) -> dict[str, Any]:
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


def _check_evidence(order: CorrectionOrder, before: object, after: object) -> None:
    if not isinstance(before, dict) or not before:
        raise ServiceError(
            _("Send the record as it was before the correction (a JSON object)."), field="evidence_before"
        )
    if not isinstance(after, dict) or not after:
        raise ServiceError(_("Send the record as it is after the correction (a JSON object)."), field="evidence_after")
    if len(str(before)) > 50_000 or len(str(after)) > 50_000:
        raise ServiceError(_("The evidence is too large."), field="evidence_after")
    kinds = {a["kind"] for a in order.actions}
    if RemedyKind.DELETE_ENTRY in kinds:
        if after.get("status") != "deleted":
            raise ServiceError(
                _("The entry was ordered deleted: evidence_after.status must be 'deleted'."), field="evidence_after"
            )
        return
    for action in order.actions:
        if action["kind"] == RemedyKind.CORRECT_FIELD and after.get(action["field"]) != action["new_value"]:
            raise ServiceError(
                f"evidence_after.{action['field']} must show the corrected value {action['new_value']!r}.",
                field="evidence_after",
            )
        if action["kind"] == RemedyKind.LIFT_SANCTION:
            remaining = after.get("sanctions")
            if not isinstance(remaining, list) or action["sanction"] in remaining:
                raise ServiceError(
                    f"evidence_after.sanctions must list the remaining sanctions, without {action['sanction']}.",
                    field="evidence_after",
                )
        if action["kind"] == RemedyKind.ANNOTATE and not after.get("annotation"):
            raise ServiceError(
                _("evidence_after.annotation must show the citizen's statement on the record."), field="evidence_after"
            )


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
    """The agency confirms it carried out its order, with the record before and after. When every
    order of the case is done, the case closes."""
    if actor.kind != ActorKind.AGENCY or actor.agency is None:
        raise NotAllowed(_("Only the agency ordered can confirm its correction."))
    note = _text(note, field="note", required=False, limit=4000)
    with transaction.atomic():
        order = (
            CorrectionOrder.objects.select_for_update(of=("self",))
            .select_related("complaint", "agency")
            .get(pk=order_id)
        )
        if order.agency_id != actor.agency.pk:
            raise NotAllowed(_("This correction order was sent to another agency."))
        if order.status != OrderStatus.ORDERED:
            raise Conflict(_("This order is already %(status)s.") % {"status": order.status}, field="status")
        _check_evidence(order, evidence_before, evidence_after)
        criteria: list[dict[str, Any]] = []
        if any(a["kind"] == RemedyKind.DISCLOSE_CRITERIA for a in order.actions):
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
        _clock_meet(
            complaint_id=order.complaint_id,
            obligation="compliance",
            agency_id=order.agency_id,
            subject_key=order.subject_key,
            now=now,
            actor=actor,
        )
        if criteria:
            criteria_disclosure_record(agency=order.agency, criteria=criteria, now=now, source_order=order)
        _mirror_record_status(order)
        case_event_record(
            complaint=order.complaint,
            actor=actor,
            kind=CaseEventKind.CORRECTION_CONFIRMED,
            now=now,
            message=f"{order.agency.name_en} confirmed it carried out the correction." + (f" {note}" if note else ""),
            data={"order_id": order.pk, "agency": order.agency.slug},
            visibility=Visibility.CITIZEN,
        )
        _close_if_complete(order.complaint_id, now=now)
    return order


def _mirror_record_status(order: CorrectionOrder) -> None:
    """Keep the ombudsman's copy of the respondent's entry in step with what it confirmed."""
    entry = order.complaint.blacklist_entry
    if entry is None or order.depth != 0 or entry.agency_id != order.agency_id:
        return
    kinds = {a["kind"] for a in order.actions}
    if RemedyKind.DELETE_ENTRY in kinds:
        entry.status = RecordStatus.DELETED
    elif kinds & {RemedyKind.CORRECT_FIELD, RemedyKind.LIFT_SANCTION, RemedyKind.ANNOTATE}:
        entry.status = RecordStatus.CORRECTED
        lifted = {a["sanction"] for a in order.actions if a["kind"] == RemedyKind.LIFT_SANCTION}
        entry.sanctions = [s for s in entry.sanctions if s not in lifted]
    else:
        return
    entry.save(update_fields=["status", "sanctions", "updated_at"])


def correction_order_waive(*, order_id: int, actor: Actor, reason: str, now: datetime) -> CorrectionOrder:
    """A senior officer formally waives an order, with a reason (e.g. the agency proved it never
    received the record)."""
    user = _require_senior(actor)
    reason = _text(reason, field="reason", limit=4000)
    with transaction.atomic():
        order = (
            CorrectionOrder.objects.select_for_update(of=("self",))
            .select_related("complaint", "agency")
            .get(pk=order_id)
        )
        if order.status != OrderStatus.ORDERED:
            raise Conflict(_("This order is already %(status)s.") % {"status": order.status}, field="status")
        order.status = OrderStatus.WAIVED
        order.waived_by = user
        order.waived_at = now
        order.waiver_reason = reason
        order.save(update_fields=["status", "waived_by", "waived_at", "waiver_reason"])
        _order_ended(
            order,
            actor=actor,
            now=now,
            kind=CaseEventKind.CORRECTION_WAIVED,
            clock_reason=f"Order waived: {reason}",
            message=f"The order to {order.agency.name_en} was waived: {reason}",
        )
        _close_if_complete(order.complaint_id, now=now)
    return order


def _close_if_complete(complaint_id: int, *, now: datetime) -> None:
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if complaint.status != Status.COMPLIANCE:
        return
    if CorrectionOrder.objects.filter(complaint_id=complaint_id, status=OrderStatus.ORDERED).exists():
        return
    complaint_services.complaint_close(
        complaint_id=complaint_id,
        actor=Actor.system(),
        now=now,
        note=_("Every correction order has been carried out or waived; the case is closed."),
    )


# --- agencies' own corrections ----------------------------------------------------------------


def agency_response_recorded(*, response: AgencyResponse, actor: Actor, now: datetime) -> list[CorrectionOrder]:
    """After an agency's answer (tribunal/effects.py): disclosed scoring criteria go to the public
    register; a `corrected` or `deleted` outcome is propagated to every recipient of the record
    (the holder itself has already acted)."""
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
    if response.outcome == AgencyOutcome.DELETED:
        actions: list[dict[str, Any]] = [{"kind": RemedyKind.DELETE_ENTRY.value}]
    else:
        actions = [
            {"kind": RemedyKind.CORRECT_FIELD.value, "field": c["field"], "new_value": c.get("new_value")}
            for c in response.corrections
            if isinstance(c, dict) and isinstance(c.get("field"), str) and c["field"]
        ] or [
            {
                "kind": RemedyKind.CORRECT_FIELD.value,
                "field": "record",
                "new_value": "corrected",
                "detail": response.explanation[:2000],
            }
        ]
    category, _ref = _origin_record(complaint)
    adjacency = selectors.sharing_adjacency(category_id=category.pk if category else None, on=now.date())
    reaches = propagate(response.agency_id, adjacency, include_origin=False)
    if not reaches:
        if response.outcome == AgencyOutcome.DELETED:
            _watch_deletion(complaint=complaint, agencies=[response.agency], now=now)
        return []
    orders = _create_orders(
        complaint=complaint,
        origin=response.agency,
        reaches=reaches,
        actions_for={True: actions, False: actions},
        trigger=CorrectionTrigger.AGENCY_CORRECTION,
        determination=None,
        agency_response=response,
        actor=actor,
        now=now,
    )
    return orders


# --- re-insertion watch -----------------------------------------------------------------------


def _watch_deletion(*, complaint: Complaint, agencies: list[Agency], now: datetime) -> DeletionWatch:
    category, ref = _origin_record(complaint)
    watch = DeletionWatch.objects.create(
        complaint=complaint,
        citizen_match_token=complaint.citizen.national_id_hash,
        category=category,
        agency_record_id=ref,
        created_at=now,
    )
    watch.agencies.set(agencies)
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
    token = _text(citizen_match_token, field="citizen_match_token", limit=64)
    if not re.fullmatch(r"[0-9a-f]{64}", token):
        raise ServiceError(_("citizen_match_token must be the 64-character match token."), field="citizen_match_token")
    record_id = _text(agency_record_id, field="agency_record_id", limit=100)
    with transaction.atomic():
        watches = (
            DeletionWatch.objects.select_for_update()
            .filter(active=True, citizen_match_token=token)
            .order_by("created_at", "id")
        )
        match = None
        for watch in watches:
            same_record = bool(watch.agency_record_id) and watch.agency_record_id == record_id
            same_category = category is not None and watch.category_id == category.pk
            if same_record or same_category:
                match = watch
                break
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
        if match is not None:
            _reinsertion_detected(match, reported, now=now)
    return reported


def _reinsertion_detected(watch: DeletionWatch, reported: ReportedRecord, *, now: datetime) -> None:
    complaint = Complaint.objects.select_related("assigned_officer").get(pk=watch.complaint_id)
    reason = (
        f"Re-insertion watch: {reported.agency.name_en} reported holding record {reported.agency_record_id} "
        f"again after it was ordered deleted."
    )
    if complaint.status in (Status.RESOLVED, Status.CLOSED):
        complaint_services.complaint_reopen(complaint_id=complaint.pk, actor=Actor.system(), now=now, reason=reason)
    case_event_record(
        complaint=complaint,
        actor=Actor.for_agency(reported.agency, f"{reported.agency.name_en} ({reported.source})"),
        kind=CaseEventKind.REINSERTION_DETECTED,
        now=now,
        message=reason,
        data={"reported_record_id": reported.pk, "agency": reported.agency.slug, "watch_id": watch.pk},
        visibility=Visibility.INTERNAL,
    )
    _notify_officer(
        complaint,
        subject=f"{complaint.reference}: a deleted record came back",
        body=reason,
        key=f"reinsertion:{reported.pk}",
        now=now,
    )


# --- scoring-criteria register ----------------------------------------------------------------

CRITERIA_KEYS = ("factor", "description", "direction_or_weight", "data_source")


def validated_criteria(value: object, *, field: str, required: bool) -> list[dict[str, Any]]:
    if value is None:
        value = []
    if not isinstance(value, list):
        raise ServiceError(f"{field} must be a list of objects ({', '.join(CRITERIA_KEYS)}).", field=field)
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("factor"), str) or not item["factor"].strip():
            raise ServiceError(f"{field}[{i}].factor is required.", field=field)
        row = {k: str(item.get(k, "") or "").strip()[:2000] for k in CRITERIA_KEYS}
        out.append(row)
    if required and not out:
        raise ServiceError(f"{field} must list the criteria.", field=field)
    if len(out) > 200:
        raise ServiceError(f"At most 200 criteria in {field}.", field=field)
    return out


def criteria_disclosure_record(
    *,
    agency: Agency,
    criteria: list[dict[str, Any]],
    now: datetime,
    source_response: AgencyResponse | None = None,
    source_order: CorrectionOrder | None = None,
) -> CriteriaDisclosure:
    """Add a version to the agency's entry in the public register (unless nothing changed)."""
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        latest = CriteriaDisclosure.objects.filter(agency=agency).order_by("-version").first()
        if latest is not None and latest.criteria == criteria:
            return latest
        return CriteriaDisclosure.objects.create(
            agency=agency,
            version=(latest.version + 1) if latest else 1,
            criteria=criteria,
            disclosed_at=now,
            source_response=source_response,
            source_order=source_order,
        )
