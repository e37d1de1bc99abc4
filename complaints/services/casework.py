"""Casework that keeps the status: assignment, messages and evidence."""

from __future__ import annotations

from datetime import datetime
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import Role, User
from kernel import uploads
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

from ..lifecycle import step_begin, step_record
from ..models import Attachment, CaseEvent, Complaint
from ..transitions import OPEN_STATUSES, Action
from .filing import MAX_STATEMENT


def complaint_assign(*, complaint_id: int, officer: User | None, actor: Actor, now: datetime) -> Complaint:
    if officer is not None and not officer.is_officer:
        raise ServiceError(_("Cases can be assigned only to officers."), field="officer")
    with transaction.atomic():
        complaint = step_begin(complaint_id=complaint_id, action=Action.ASSIGN, actor=actor)
        if complaint.assigned_officer_id == (officer.pk if officer else None):
            return complaint
        step_record(
            complaint=complaint,
            action=Action.ASSIGN,
            actor=actor,
            now=now,
            kind=CaseEventKind.ASSIGNED,
            message=f"Assigned to {officer}" if officer else "Unassigned",
            visibility=Visibility.INTERNAL,
            data={"officer_id": officer.pk if officer else None},
            changes={"assigned_officer": officer},
        )
    return complaint


def complaint_assign_automatically(*, complaint_id: int, actor: Actor, now: datetime) -> Complaint:
    """Assign the case to the least-loaded case officer: fewest open assigned cases, then the one who
    has waited longest (lowest id). Senior officers are used only when there are no case officers."""
    if not actor.is_officer:
        raise NotAllowed(_("Only officers assign cases."))
    open_q = Q(assigned_complaints__status__in=[s.value for s in OPEN_STATUSES])
    candidate: User | None = None
    for role in (Role.OFFICER, Role.SENIOR_OFFICER):
        candidate = (
            User.objects.filter(role=role, is_active=True)
            .annotate(load=Count("assigned_complaints", filter=open_q))
            .order_by("load", "pk")
            .first()
        )
        if candidate is not None:
            break
    if candidate is None:
        raise ServiceError(_("There is no active officer to assign the case to."), field="officer")
    return complaint_assign(complaint_id=complaint_id, officer=candidate, actor=actor, now=now)


def attachment_add(
    *,
    complaint_id: int,
    actor: Actor,
    fileobj: IO[bytes],
    filename: str,
    now: datetime,
    size: int | None = None,
    visibility: Visibility = Visibility.PARTIES,
) -> Attachment:
    """Attach evidence to a case: type sniffed from content, size-limited, stored under a random name,
    at most settings.MAX_ATTACHMENTS_PER_CASE files per case (counted under the case's lock)."""
    content, mime, ext, digest = uploads.read_checked(fileobj, size)
    with transaction.atomic():
        complaint = step_begin(complaint_id=complaint_id, action=Action.ADD_EVIDENCE, actor=actor)
        limit = settings.MAX_ATTACHMENTS_PER_CASE
        if Attachment.objects.filter(complaint_id=complaint.pk).count() >= limit:
            raise Conflict(
                _(
                    "This case already has %(n)s files, the most one case can hold. Put several pages into one "
                    "PDF, or ask the ombudsman which files can be replaced."
                )
                % {"n": limit},
                field="file",
                code="too_many_files",
            )
        attachment = Attachment(
            complaint=complaint,
            stored_name=uploads.new_stored_name(ext),
            original_name=uploads.safe_original_name(filename),
            content_type=mime,
            size=len(content),
            sha256=digest,
            visibility=visibility,
            uploaded_by_kind=actor.kind.value,
            uploaded_by_user=actor.user,
            uploaded_by_agency=actor.agency,
            created_at=now,
        )
        attachment.file.save(attachment.stored_name, ContentFile(content), save=False)
        attachment.save()
        step_record(
            complaint=complaint,
            action=Action.ADD_EVIDENCE,
            actor=actor,
            now=now,
            kind=CaseEventKind.ATTACHMENT_ADDED,
            visibility=visibility,
            message=attachment.original_name,
            data={"attachment_id": attachment.pk, "content_type": mime},
            params={"attachment": attachment},
        )
    return attachment


def complaint_post_message(
    *, complaint_id: int, actor: Actor, text: str, now: datetime, visibility: Visibility = Visibility.PARTIES
) -> CaseEvent:
    """A message on the case; `visibility` says who reads it. Internal notes are officers' only."""
    if visibility == Visibility.INTERNAL and not actor.is_officer:
        raise NotAllowed(_("Only officers write internal notes."))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("The message is empty."), field="text")
    if len(text) > MAX_STATEMENT:
        raise ServiceError(f"Keep the message under {MAX_STATEMENT} characters.", field="text")
    with transaction.atomic():
        complaint = step_begin(complaint_id=complaint_id, action=Action.POST_MESSAGE, actor=actor)
        event = step_record(
            complaint=complaint,
            action=Action.POST_MESSAGE,
            actor=actor,
            now=now,
            message=text,
            visibility=visibility,
            kind=CaseEventKind.NOTE if visibility == Visibility.INTERNAL else CaseEventKind.MESSAGE,
        )
    assert event is not None
    return event
