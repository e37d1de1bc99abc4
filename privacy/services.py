"""Retention and the citizen's rights: the writes.

    retention_run(now=...)                the nightly job (ops.tasks.apply_retention): applies
                                          settings.RETENTION (docs/retention.md), in batches
    deletion_request_create(...)          a person (or their representative) asks for their data
                                          to be deleted, with a reason
    deletion_request_decide(...)          an officer grants it (the data is erased now, by the same
                                          functions as the nightly job) or refuses it with a reason;
                                          the person is told in their language

Sessions and the agency clients' OAuth tokens are cleared by their own beat jobs (ops.cleanup),
with the lifetimes the schedule sets (SESSION_COOKIE_AGE, REFRESH_TOKEN_EXPIRE_SECONDS).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from citizens.models import AccessLogEntry, Citizen, ClaimCode, IdentityMatch, RepresentationRequest
from citizens.models import RepresentationStatus as RS
from complaints.models import Attachment, Complaint
from complaints.notify import notify_person
from complaints.transitions import OPEN_STATUSES
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, NotFound, ServiceError
from outbox.models import OutboxMessage, OutboxStatus
from tribunal.models import DeletionWatch, InformationDocument

from .erasure import TERMINAL, case_erased_q, case_files_delete, cases_erase, hashes_release, persons_due, persons_erase
from .models import ERASED, DeletionRequest, DeletionStatus, Erasure, ErasureKind, ErasureTrigger

BATCH = 200
MAX_REASON = 4000


def retention_period(kind: str) -> timedelta:
    """The schedule's period for `kind` (settings.RETENTION); KeyError for a kind it does not list."""
    return settings.RETENTION[kind]


@dataclass
class RetentionReport:
    files_deleted: int = 0
    cases_erased: int = 0
    persons_erased: int = 0
    hashes_released: int = 0
    watches_ended: int = 0
    access_log_deleted: int = 0
    outbox_payloads_erased: int = 0
    claim_codes_deleted: int = 0
    identity_matches_deleted: int = 0
    representation_proofs_deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _ids(qs: object, batch_size: int) -> list[int]:
    return list(qs.order_by("pk").values_list("pk", flat=True)[:batch_size])  # type: ignore[attr-defined]


def retention_run(*, now: datetime, batch_size: int = BATCH) -> RetentionReport:
    """Apply the retention schedule as of `now`: everything older than its period is erased, a
    batch (one transaction, a fixed number of statements) at a time. Safe to run twice or late:
    each step selects only what is not erased yet."""
    report = RetentionReport()
    finished = Complaint.objects.filter(status__in=TERMINAL)

    # Evidence files of cases finished longer ago than `evidence_files`.
    files_cutoff = now - retention_period("evidence_files")
    with_files = finished.filter(closed_at__lt=files_cutoff).filter(
        Q(pk__in=Attachment.objects.exclude(file="").values("complaint_id"))
        | Q(pk__in=InformationDocument.objects.exclude(file="").values("request__complaint_id"))
    )
    while ids := _ids(with_files, batch_size):
        report.files_deleted += case_files_delete(complaint_ids=ids, now=now)

    # Cases finished longer ago than `closed_case`, then their people once every case is erased.
    due = finished.filter(closed_at__lt=now - retention_period("closed_case")).exclude(case_erased_q())
    while ids := _ids(due, batch_size):
        with transaction.atomic():
            erased = cases_erase(complaint_ids=ids, now=now)
            report.cases_erased += len(erased)
            citizens = set(Complaint.objects.filter(pk__in=erased).values_list("citizen_id", flat=True))
            report.persons_erased += len(persons_erase(citizen_ids=persons_due(citizens), now=now))

    # Re-insertion watches past their period end; the hashes no watch holds any more go.
    watch_cutoff = now - retention_period("reinsertion_watch")
    report.watches_ended = DeletionWatch.objects.filter(active=True, created_at__lt=watch_cutoff).update(
        active=False, citizen_match_token=""
    )
    report.hashes_released = hashes_release(batch_size=batch_size)

    # The access log.
    old_reads = AccessLogEntry.objects.filter(at__lt=now - retention_period("access_log"))
    while ids := _ids(old_reads, batch_size * 25):
        report.access_log_deleted += AccessLogEntry.objects.filter(pk__in=ids).delete()[0]

    # Outbox payloads (emails and webhooks carry names and case text) once final.
    payloads = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.DELIVERED, OutboxStatus.DEAD, OutboxStatus.CANCELLED, OutboxStatus.REFUSED],
        created_at__lt=now - retention_period("outbox_payloads"),
    ).exclude(payload={})
    while keys := list(payloads.order_by("pk").values_list("pk", flat=True)[: batch_size * 25]):
        report.outbox_payloads_erased += OutboxMessage.objects.filter(pk__in=keys).update(payload={}, recipient=ERASED)

    # Claim codes and ID-number matches, once done with.
    claims_cutoff = now - retention_period("identity_claims")
    report.claim_codes_deleted = ClaimCode.objects.filter(expires_at__lt=claims_cutoff).delete()[0]
    report.identity_matches_deleted = IdentityMatch.objects.filter(resolved_at__lt=claims_cutoff).delete()[0]

    # Proofs of authority of representations refused, ended or expired.
    proofs = (
        RepresentationRequest.objects.filter(status__in=[RS.REFUSED, RS.ENDED, RS.EXPIRED])
        .exclude(proof="")
        .annotate(done_at=Coalesce("ended_at", "decided_at", "expires_at", "created_at"))
        .filter(done_at__lt=now - retention_period("representation_proofs"))
    )
    while batch := list(proofs.order_by("pk")[:batch_size]):
        for r in batch:
            default_storage.delete(r.proof.name or "")
        report.representation_proofs_deleted += RepresentationRequest.objects.filter(
            pk__in=[r.pk for r in batch]
        ).update(proof="", proof_name=ERASED, stated_name=ERASED)
    return report


# --- deletion requests ------------------------------------------------------------------------


def _reason(value: str, *, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(_("Please give a reason."), field=field)
    if len(text) > MAX_REASON:
        raise ServiceError(_("Keep the reason under %(n)s characters.") % {"n": MAX_REASON}, field=field)
    return text


def deletion_request_create(*, citizen_id: int, user: User, reason: str, now: datetime) -> DeletionRequest:
    """The person (or their registered representative) asks for their data to be deleted."""
    text = _reason(reason, field="reason")
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    if citizen is None or user.is_officer or not citizen.can_be_acted_for_by(user):
        raise NotFound(_("No such person."))
    try:
        with transaction.atomic():
            return DeletionRequest.objects.create(citizen=citizen, requested_by=user, reason=text, created_at=now)
    except IntegrityError:
        raise Conflict(_("A deletion request for this person is already waiting for an officer.")) from None


def _open_cases(citizen_id: int) -> list[str]:
    return list(
        Complaint.objects.filter(citizen_id=citizen_id, status__in=[s.value for s in OPEN_STATUSES])
        .order_by("reference")
        .values_list("reference", flat=True)
    )


def deletion_request_decide(
    *, request_id: int, actor: Actor, grant: bool, reason: str, now: datetime
) -> DeletionRequest:
    """An officer decides a deletion request. Granted: every case of the person (all finished:
    an open case is refused, it must be withdrawn or closed first) and their record are erased now,
    whatever their age. Refused: the reason is recorded. Either way the person is told, in their
    language, before their address is erased."""
    if not actor.is_officer or actor.user is None:
        raise NotAllowed(_("Only an officer decides a deletion request."))
    text = _reason(reason, field="reason")
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().filter(pk=request_id).select_related("citizen").first()
        if request is None:
            raise NotFound(_("No such deletion request."))
        if request.status != DeletionStatus.PENDING:
            raise Conflict(_("This request was already decided."))
        citizen = request.citizen
        if grant:
            still_open = _open_cases(citizen.pk)
            if still_open:
                raise Conflict(
                    _(
                        "These cases are still open: %(refs)s. Close or withdraw them first, or refuse the request "
                        "with the reason."
                    )
                    % {"refs": ", ".join(still_open)}
                )
        request.status = DeletionStatus.GRANTED if grant else DeletionStatus.REFUSED
        request.decided_by = actor.user
        request.decided_at = now
        request.decision_reason = text
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _tell_person(request, now=now)
        if grant:
            case_ids = list(
                Complaint.objects.filter(citizen=citizen)
                .exclude(case_erased_q())
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(case_ids), BATCH):
                cases_erase(
                    complaint_ids=case_ids[start : start + BATCH],
                    now=now,
                    trigger=ErasureTrigger.REQUEST,
                    request=request,
                )
            if not Erasure.objects.filter(kind=ErasureKind.PERSON, subject_id=citizen.pk).exists():
                persons_erase(citizen_ids=[citizen.pk], now=now, trigger=ErasureTrigger.REQUEST, request=request)
    return request


def _tell_person(request: DeletionRequest, *, now: datetime) -> None:
    granted = request.status == DeletionStatus.GRANTED
    reason = request.decision_reason

    def render(link: str) -> tuple[str, str]:
        if granted:
            subject = _("Your deletion request was granted")
            body = _(
                "The ombudsman has erased the personal data it held about you, as you asked.\n\n"
                "What stays: the case numbers, dates and outcomes, without your name, for the public "
                "statistics.\n\nThe officer's note: %(reason)s"
            ) % {"reason": reason}
        else:
            subject = _("Your deletion request was refused")
            body = _(
                "The ombudsman cannot delete your data yet.\n\nThe reason: %(reason)s\n\n"
                "Your data will still be erased when the retention period ends. You can download it "
                "from your account: %(link)s"
            ) % {"reason": reason, "link": link}
        return subject, body

    notify_person(
        request.citizen,
        topic=f"email.deletion_request.{request.status}",
        render=render,
        now=now,
        key=f"deletion_request:{request.pk}:{request.status}",
        page="/data/",
    )
