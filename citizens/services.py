"""Writes to citizens' records (house rule 1: named services, time as an argument)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from kernel import uploads
from kernel.actors import Actor, ActorKind
from kernel.errors import Conflict, NotAllowed, NotFound, ServiceError
from outbox.services import outbox_email

from . import national_id
from .models import (
    AccessLogEntry,
    BlacklistEntry,
    Citizen,
    IdentityMatch,
    RecordStatus,
    RepresentationRequest,
    RepresentationStatus,
    RepresentativeKind,
)


def record_mark_disputed(*, entry_id: int, now: datetime, actor: Actor) -> BlacklistEntry:
    """Mark a blacklist entry as disputed while the holder reviews it (restriction under review).

    Already disputed: unchanged (another complaint may have flagged it). Corrected, deleted or
    expired entries cannot be disputed any more: Conflict."""
    with transaction.atomic():
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry_id)
        if entry.status == RecordStatus.DISPUTED:
            return entry
        if entry.status != RecordStatus.ACTIVE:
            raise Conflict(
                f"The record is {entry.status}; only an active record can be marked as disputed.", field="record"
            )
        entry.status = RecordStatus.DISPUTED
        entry.save(update_fields=["status", "updated_at"])
    return entry


def record_apply_correction(
    *, entry_id: int, delete: bool, lifted_sanctions: Iterable[str], now: datetime, actor: Actor
) -> BlacklistEntry:
    """Keep the ombudsman's copy of a blacklist entry in step with a correction its holder
    confirmed: deleted, or corrected with the `lifted_sanctions` gone. Called by the tribunal
    inside the confirming step (after the case lock)."""
    with transaction.atomic():
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry_id)
        if delete:
            entry.status = RecordStatus.DELETED
        else:
            lifted = set(lifted_sanctions)
            entry.status = RecordStatus.CORRECTED
            entry.sanctions = [s for s in entry.sanctions if s not in lifted]
        entry.save(update_fields=["status", "sanctions", "updated_at"])
    return entry


# --- accounts and representation (sign-up, people represented, assisted filing) -------------


def _normalized_id(raw: str) -> str:
    try:
        return national_id.normalize(raw)
    except ValidationError:
        raise ServiceError(_("Enter the ID number as 6 to 24 letters and digits."), field="national_id")


def _existing_citizen(raw_id: str) -> Citizen | None:
    return Citizen.objects.filter(national_id_hash=national_id.keyed_hash(raw_id)).first()


def citizen_record_for_new_account(
    *, user: User, full_name: str, national_id_number: str, now: datetime, language: str = "en"
) -> Citizen | None:
    """The citizen record of a newly signed-up account (allauth's sign-up calls this through
    portal.forms.SignUpExtraForm), or None.

    Self-service sign-up NEVER attaches an existing citizen record (a minor, a person an officer
    filed for by phone): whoever types an ID number is not thereby that person. When the ID number
    matches an existing record, the account gets no citizen record at all, so it sees nothing of
    that record, and the answer on the page is exactly the answer anyone else gets. The real person
    reaches the record only through an officer."""
    normalized = _normalized_id(national_id_number)
    if Citizen.objects.filter(user=user).exists():
        raise ServiceError(_("This account already has its citizen record."), field="national_id")
    existing = _existing_citizen(normalized)
    if existing is not None:
        # Only the officers learn of the match (a task in their queue), never the person.
        IdentityMatch.objects.create(user=user, citizen=existing, created_at=now)
        return None
    citizen = Citizen(full_name=full_name.strip(), email=user.email, preferred_language=language, user=user)
    citizen.set_national_id(normalized)
    try:
        with transaction.atomic():
            citizen.save()
    except IntegrityError:
        # Someone else's record with this ID number appeared meanwhile: same rule, no link.
        return None
    return citizen


# --- representation: a parent or lawyer acts for a person only once an officer saw the proof --


REPRESENTATION_VALID_FOR = timedelta(days=365)


def representation_request(
    *,
    representative: User,
    full_name: str,
    national_id_number: str,
    date_of_birth: date | None,
    kind: str,
    proof: IO[bytes],
    proof_name: str,
    proof_size: int | None,
    now: datetime,
) -> RepresentationRequest:
    """Ask to act for a person, with proof of authority (a birth certificate or household register
    page for a child; a signed authority or power of attorney otherwise). Nothing of the person is
    shown to the requester until an officer verifies it (representation_verify). The answer is the
    same whether or not the ID number is known: an unknown one gets a new record with no account."""
    normalized = _normalized_id(national_id_number)
    if kind not in RepresentativeKind.values:
        raise ServiceError(_("Choose how you represent this person."), field="kind")
    if not full_name.strip():
        raise ServiceError(_("Enter the person's full name."), field="full_name")
    if representative.is_officer:
        raise NotAllowed(_("Officers record representation on the person's record, not through this form."))
    content, mime, ext, _digest = uploads.read_checked(proof, proof_size)
    with transaction.atomic():
        citizen = _existing_citizen(normalized)
        if citizen is None:
            citizen = Citizen(full_name=full_name.strip(), date_of_birth=date_of_birth)
            citizen.set_national_id(normalized)
            citizen.save()
        else:
            citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        if citizen.user_id == representative.pk:
            raise ServiceError(_("This is your own ID number: you can file for yourself."), field="national_id")
        if citizen.representative_id == representative.pk:
            raise Conflict(_("You already represent this person."), field="national_id")
        if RepresentationRequest.objects.filter(
            citizen=citizen, representative=representative, status=RepresentationStatus.PENDING
        ).exists():
            raise Conflict(
                _("You have already sent proof for this person: an officer is checking it."), field="national_id"
            )
        request = RepresentationRequest(
            citizen=citizen,
            representative=representative,
            kind=kind,
            stated_name=full_name.strip(),
            stated_date_of_birth=date_of_birth,
            stored_name=uploads.new_stored_name(ext),
            proof_name=uploads.safe_original_name(proof_name),
            proof_content_type=mime,
            created_at=now,
        )
        request.proof.save(request.stored_name, ContentFile(content), save=False)
        request.save()
    return request


def _locked_request(request_id: int) -> RepresentationRequest:
    found = RepresentationRequest.objects.select_for_update().filter(pk=request_id).first()
    if found is None:
        raise NotFound(_("There is no such representation request."))
    return found


def _tell(*, to: str, subject: str, body: str, key: str, now: datetime) -> None:
    """A mail about representation, written in the caller's active language."""
    outbox_email(to=to, subject=subject, body=body, topic="representation", dedupe_key=key, now=now)


def representation_verify(
    *, request_id: int, actor: Actor, now: datetime, valid_until: datetime | None = None
) -> RepresentationRequest:
    """An officer saw the proof: the user now represents the person until `valid_until` (a year by
    default). A previous representative of the person is replaced. The representative and the
    represented person (when we have their address) are told."""
    if not actor.is_officer or actor.user is None:
        raise NotAllowed(_("Only ombudsman officers verify representation."))
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.status != RepresentationStatus.PENDING:
            raise Conflict(_("This request has already been decided."))
        until = valid_until or now + REPRESENTATION_VALID_FOR
        if until <= now:
            raise ServiceError(_("The end date must be in the future."), field="valid_until")
        citizen = Citizen.objects.select_for_update().get(pk=request.citizen_id)
        RepresentationRequest.objects.filter(citizen=citizen, status=RepresentationStatus.VERIFIED).update(
            status=RepresentationStatus.ENDED, ended_at=now
        )
        citizen.representative_id = request.representative_id
        citizen.representative_kind = request.kind
        citizen.save(update_fields=["representative", "representative_kind", "updated_at"])
        request.status = RepresentationStatus.VERIFIED
        request.expires_at = until
        request.decided_by = actor.user
        request.decided_at = now
        request.save(update_fields=["status", "expires_at", "decided_by", "decided_at"])
        rep = request.representative
        with translation.override(rep.preferred_language):
            _tell(
                to=rep.email,
                subject=_("You can now act for %(name)s") % {"name": citizen.full_name},
                body=_(
                    "An officer checked your proof. Until %(date)s you can file and follow complaints for "
                    "%(name)s. They can end this at any time."
                )
                % {"name": citizen.full_name, "date": until.date().isoformat()},
                key=f"representation:{request.pk}:verified:rep",
                now=now,
            )
        person_email = citizen.user.email if citizen.user_id and citizen.user else citizen.email
        if person_email and not citizen.is_minor(now.date()):
            with translation.override(citizen.preferred_language):
                _tell(
                    to=person_email,
                    subject=_("%(name)s now represents you") % {"name": str(rep)},
                    body=_(
                        "%(name)s showed us proof that they may act for you, and can now file and follow "
                        "complaints for you until %(date)s. If you did not agree to this, end it on your "
                        "'My cases' page or tell us."
                    )
                    % {"name": str(rep), "date": until.date().isoformat()},
                    key=f"representation:{request.pk}:verified:person",
                    now=now,
                )
    return request


def representation_refuse(*, request_id: int, actor: Actor, reason: str, now: datetime) -> RepresentationRequest:
    if not actor.is_officer or actor.user is None:
        raise NotAllowed(_("Only ombudsman officers decide on representation."))
    if not reason.strip():
        raise ServiceError(_("Say why the proof is refused: the requester reads it."), field="reason")
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.status != RepresentationStatus.PENDING:
            raise Conflict(_("This request has already been decided."))
        request.status = RepresentationStatus.REFUSED
        request.refusal_reason = reason.strip()
        request.decided_by = actor.user
        request.decided_at = now
        request.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
        rep = request.representative
        with translation.override(rep.preferred_language):
            _tell(
                to=rep.email,
                subject=_("Your proof of representation was not accepted"),
                body=_("An officer could not accept your proof for %(name)s: %(reason)s")
                % {
                    "name": request.stated_name,
                    "reason": request.refusal_reason,
                },
                key=f"representation:{request.pk}:refused",
                now=now,
            )
    return request


def _end(request: RepresentationRequest, *, status: str, now: datetime) -> None:
    request.status = status
    request.ended_at = now
    request.save(update_fields=["status", "ended_at"])
    Citizen.objects.filter(pk=request.citizen_id, representative_id=request.representative_id).update(
        representative=None, representative_kind="", updated_at=now
    )


def representation_end(*, request_id: int, user: User, now: datetime) -> RepresentationRequest:
    """End a verified representation: by the represented person, the representative, or an officer.
    From then on the representative sees nothing of the person's cases."""
    with transaction.atomic():
        request = _locked_request(request_id)
        citizen = request.citizen
        allowed = user.is_officer or user.pk in (citizen.user_id, request.representative_id)
        if not allowed:
            raise NotFound(_("There is no such representation request."))
        if request.status != RepresentationStatus.VERIFIED:
            raise Conflict(_("This representation is not in force."))
        _end(request, status=RepresentationStatus.ENDED, now=now)
    return request


def representations_expire(*, now: datetime, batch: int = 500) -> int:
    """End every verified representation whose time is up (periodic; safe to run twice)."""
    done = 0
    while True:
        with transaction.atomic():
            due = list(
                RepresentationRequest.objects.select_for_update(skip_locked=True)
                .filter(status=RepresentationStatus.VERIFIED, expires_at__lte=now)
                .order_by("pk")[:batch]
            )
            for request in due:
                _end(request, status=RepresentationStatus.EXPIRED, now=now)
        done += len(due)
        if len(due) < batch:
            return done


def citizen_find_or_create_assisted(
    *, national_id_number: str, full_name: str, email: str = "", phone: str = ""
) -> tuple[Citizen, bool]:
    """For an officer filing on someone's behalf (phone or walk-in): the citizen with this ID
    number (matched by keyed hash), or a new citizen record without an account."""
    normalized = _normalized_id(national_id_number)
    existing = _existing_citizen(normalized)
    if existing is not None:
        return existing, False
    if not full_name.strip():
        raise ServiceError(_("Enter the person's full name."), field="full_name")
    citizen = Citizen(full_name=full_name.strip(), email=email.strip(), phone=phone.strip())
    citizen.set_national_id(normalized)
    try:
        with transaction.atomic():
            citizen.save()
    except IntegrityError:
        existing = _existing_citizen(normalized)
        if existing is None:
            raise
        return existing, False
    return citizen, True


# --- the access log: every staff and agency read of a person's data --------------------------


@dataclass(frozen=True)
class Read:
    """One thing read: a person's record, optionally on a case, optionally one file of it."""

    citizen_id: int
    complaint_id: int | None = None
    object_id: int | None = None


def access_log_record(*, reader: Actor, kind: str, why: str, now: datetime, reads: Iterable[Read]) -> int:
    """Record reads by staff or an agency in one INSERT (list pages pass every row). Citizens'
    reads of their own file are not recorded. Returns the number of entries."""
    if reader.kind not in (ActorKind.OFFICER, ActorKind.SENIOR_OFFICER, ActorKind.AGENCY):
        return 0
    entries = [
        AccessLogEntry(
            at=now,
            citizen_id=r.citizen_id,
            complaint_id=r.complaint_id,
            object_id=r.object_id,
            kind=kind,
            reader_kind=reader.kind.value,
            reader_user=reader.user,
            reader_agency=reader.agency,
            why=why[:100],
        )
        for r in reads
    ]
    if entries:
        AccessLogEntry.objects.bulk_create(entries)
    return len(entries)
