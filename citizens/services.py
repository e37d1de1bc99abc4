"""Writes to citizens' records (house rule 1: named services, time as an argument)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from kernel.actors import Actor
from kernel.errors import Conflict, ServiceError

from . import national_id
from .models import BlacklistEntry, Citizen, RecordStatus, RepresentativeKind


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
    *, user: User, full_name: str, national_id_number: str, language: str = "en"
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
    if _existing_citizen(normalized) is not None:
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


def citizen_add_represented(
    *, representative: User, full_name: str, national_id_number: str, date_of_birth: date | None, kind: str
) -> Citizen:
    """Register a person the user represents (a parent for a minor, a lawyer for a client)."""
    normalized = _normalized_id(national_id_number)
    if kind not in RepresentativeKind.values:
        raise ServiceError(_("Choose how you represent this person."), field="kind")
    if not full_name.strip():
        raise ServiceError(_("Enter the person's full name."), field="full_name")
    with transaction.atomic():
        if _existing_citizen(normalized) is not None:
            # Never attach a stranger's existing record to whoever knows their ID number.
            raise ServiceError(
                _("This person is already registered with us. Ask us to add you as their representative."),
                field="national_id",
            )
        citizen = Citizen(
            full_name=full_name.strip(),
            date_of_birth=date_of_birth,
            representative=representative,
            representative_kind=kind,
            email=representative.email,
        )
        citizen.set_national_id(normalized)
        try:
            citizen.save()
        except IntegrityError:
            raise ServiceError(_("This person is already registered with us."), field="national_id")
    return citizen


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
