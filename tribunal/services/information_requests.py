"""Information requests: during an investigation an officer demands information from any agency
(a party or not); the agency answers, with files; an officer may cancel an open request. Each
request has a legal clock (obligation `information_request`), started, met or cancelled in the
same transaction.

Lock order (complaints.lifecycle): `step_begin` locks the case, then the request row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from complaints.lifecycle import lock_rows, step_begin, step_record
from complaints.notify import notify_officer
from complaints.transitions import Action
from kernel import uploads
from kernel.actors import Actor
from kernel.errors import Conflict, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from outbox.services import outbox_webhook

from ..models import InformationDocument, InformationRequest, InformationRequestStatus
from ._shared import (
    MAX_TEXT,
    acting_user,
    duty_clock_cancel,
    duty_clock_meet,
    duty_clock_start,
    string_list,
    text,
)

DEFAULT_INFORMATION_DAYS = 15
MAX_FILES = 10
OBLIGATION = "information_request"


@dataclass(frozen=True)
class Upload:
    fileobj: IO[bytes]
    filename: str
    size: int | None = None


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
    qs = string_list(questions, field="questions", required=True)
    docs = string_list(requested_documents, field="requested_documents", required=False)
    with transaction.atomic():
        complaint = step_begin(complaint_id=complaint_id, action=Action.REQUEST_INFORMATION, actor=actor)
        request = InformationRequest.objects.create(
            complaint=complaint,
            agency=agency,
            questions=qs,
            requested_documents=docs,
            due_at=now + timedelta(days=DEFAULT_INFORMATION_DAYS),
            created_by=acting_user(actor),
            created_at=now,
        )
        request.due_at = duty_clock_start(
            complaint=complaint,
            obligation=OBLIGATION,
            agency=agency,
            subject_key=request.subject_key,
            now=now,
            actor=actor,
        )
        request.save(update_fields=["due_at"])
        step_record(
            complaint=complaint,
            action=Action.REQUEST_INFORMATION,
            actor=actor,
            now=now,
            kind=CaseEventKind.INFORMATION_REQUESTED,
            message=f"Information requested from {agency.name_en} (answer due {request.due_at:%Y-%m-%d}).",
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
    """The `information_request.created` webhook's data (what the agency API shows, too)."""
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


def information_request_answer(
    *,
    request_id: int,
    actor: Actor,
    answer_text: str,
    now: datetime,
    answers: Sequence[dict[str, Any]] | None = None,
    files: Sequence[Upload] = (),
) -> InformationRequest:
    """The agency asked answers, with files; its clock is met and the officer is told."""
    answer = text(answer_text, field="answer_text")
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
        complaint_id, agency_id = _owner(request_id)
        complaint = step_begin(
            complaint_id=complaint_id, action=Action.ANSWER_INFORMATION_REQUEST, actor=actor, agency_id=agency_id
        )
        request = _lock(request_id)
        _require_open(request)
        request.status = InformationRequestStatus.ANSWERED
        request.answer_text = answer
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
        duty_clock_meet(
            complaint_id=complaint.pk,
            obligation=OBLIGATION,
            agency_id=request.agency_id,
            subject_key=request.subject_key,
            now=now,
            actor=actor,
        )
        step_record(
            complaint=complaint,
            action=Action.ANSWER_INFORMATION_REQUEST,
            actor=actor,
            now=now,
            kind=CaseEventKind.INFORMATION_ANSWERED,
            message=f"{request.agency.name_en} answered the information request ({len(checked)} file(s)).",
            data={"information_request_id": request.pk, "files": len(checked)},
            visibility=Visibility.CITIZEN,
        )
        agency_name, ref, number = request.agency.name_en, complaint.reference, request.pk

        def render(link: str) -> tuple[str, str]:
            subject = _("%(ref)s: information request answered") % {"ref": ref}
            body = _("%(agency)s answered information request IR-%(number)s on %(ref)s: %(link)s") % {
                "agency": agency_name,
                "number": number,
                "ref": ref,
                "link": link,
            }
            return subject, body

        notify_officer(
            complaint,
            topic="email.officer_alert",
            render=render,
            key=f"information_request:{request.pk}:answered",
            now=now,
            or_seniors=True,
        )
    return request


def information_request_cancel(*, request_id: int, actor: Actor, reason: str, now: datetime) -> InformationRequest:
    """An officer withdraws an open request (answered some other way, sent by mistake); its
    clock is cancelled."""
    reason = text(reason, field="reason")
    with transaction.atomic():
        complaint_id, agency_id = _owner(request_id)
        complaint = step_begin(
            complaint_id=complaint_id, action=Action.CANCEL_INFORMATION_REQUEST, actor=actor, agency_id=agency_id
        )
        request = _lock(request_id)
        if request.status != InformationRequestStatus.OPEN:
            raise Conflict(_("Only an open request can be cancelled."), field="status")
        request.status = InformationRequestStatus.CANCELLED
        request.save(update_fields=["status"])
        duty_clock_cancel(
            complaint_id=complaint.pk,
            obligation=OBLIGATION,
            agency_id=request.agency_id,
            subject_key=request.subject_key,
            now=now,
            actor=actor,
            reason=reason,
        )
        step_record(
            complaint=complaint,
            action=Action.CANCEL_INFORMATION_REQUEST,
            actor=actor,
            now=now,
            kind=CaseEventKind.INFORMATION_REQUEST_CANCELLED,
            message=reason,
            data={"information_request_id": request.pk},
            visibility=Visibility.INTERNAL,
        )
    return request


def _owner(request_id: int) -> tuple[int, int]:
    """The request's case and agency, read without a lock (neither ever changes), so that the
    case is locked first."""
    row = InformationRequest.objects.filter(pk=request_id).values_list("complaint_id", "agency_id").first()
    if row is None:
        raise InformationRequest.DoesNotExist(f"No information request {request_id}.")
    return row


def _lock(request_id: int) -> InformationRequest:
    """The request row, locked after its case."""
    return lock_rows(InformationRequest.objects.filter(pk=request_id).select_related("complaint", "agency"))[0]


def _require_open(request: InformationRequest) -> None:
    if request.status != InformationRequestStatus.OPEN:
        raise Conflict(
            _("This information request is already %(status)s.") % {"status": request.status}, field="status"
        )
