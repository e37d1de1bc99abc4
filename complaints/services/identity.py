"""A person takes over the record an officer made for them (phone or walk-in filing, a minor
come of age) with a one-time claim code the officer gives them out of band: printed in a letter
or read on the phone, never sent to an address the person typed in.

    claim, code = claim_code_issue(citizen_id=..., actor=officer, now=...)   # shown once
    citizen = claim_code_redeem(user=..., code="ABCD-EFGH-JKLM", now=...)

Both write the case timeline of each of the person's complaints. Sign-ups whose ID number
matched a record (citizens.models.IdentityMatch) are the officers' task list for this."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import AgencyMembership
from citizens.models import Citizen, ClaimCode, IdentityMatch
from complaints.lifecycle import case_event_record
from complaints.models import Complaint
from kernel.actors import Actor
from kernel.crypto import keyed_hash
from kernel.errors import Conflict, NotAllowed, NotFound, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

CLAIM_CODE_VALID_FOR = timedelta(days=14)
# No 0/O, 1/I/L: read aloud on the phone without confusion. 12 characters: 32**12 = 2**60.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _normalized(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash(code: str) -> str:
    return keyed_hash(f"claim-code:{_normalized(code)}")


def claim_code_issue(*, citizen_id: int, actor: Actor, now: datetime) -> tuple[ClaimCode, str]:
    """A new code for the record (earlier unused ones stop working); the code is returned once."""
    if not actor.is_officer or actor.user is None:
        raise NotAllowed(_("Only ombudsman officers give claim codes."))
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().filter(pk=citizen_id).first()
        if citizen is None:
            raise NotFound(_("There is no such person."))
        if citizen.user_id is not None:
            raise Conflict(_("This person already has their own account."))
        ClaimCode.objects.filter(citizen=citizen, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        claim = ClaimCode.objects.create(
            citizen=citizen,
            code_hash=_hash(code),
            created_by=actor.user,
            created_at=now,
            expires_at=now + CLAIM_CODE_VALID_FOR,
        )
        for complaint in Complaint.objects.filter(citizen=citizen).order_by("pk"):
            case_event_record(complaint=complaint, actor=actor, kind=CaseEventKind.CLAIM_CODE_ISSUED, now=now)
    return claim, code


def claim_code_redeem(*, user: User, code: str, now: datetime) -> Citizen:
    """The signed-in person takes over their record with the code an officer gave them."""
    if user.is_officer or AgencyMembership.objects.filter(user_id=user.pk).exists():
        raise NotAllowed(_("Staff accounts cannot claim a citizen's record."))
    if len(_normalized(code)) != 12:
        raise ServiceError(_("Enter the 12 letters and digits of the code, for example ABCD-EFGH-JKMN."), field="code")
    with transaction.atomic():
        claim = ClaimCode.objects.select_for_update().filter(code_hash=_hash(code)).select_related("citizen").first()
        if claim is None or claim.used_at is not None or claim.revoked_at is not None or claim.expires_at <= now:
            raise ServiceError(_("This code does not work. Check it, or ask us for a new one."), field="code")
        if Citizen.objects.filter(user=user).exists():
            raise Conflict(_("Your account already has its own record. Ask us to merge the two."), field="code")
        citizen = Citizen.objects.select_for_update().get(pk=claim.citizen_id)
        if citizen.user_id is not None:
            raise Conflict(_("This record already belongs to an account."), field="code")
        citizen.user = user
        citizen.email = citizen.email or user.email
        citizen.save(update_fields=["user", "email", "updated_at"])
        claim.used_at = now
        claim.used_by = user
        claim.save(update_fields=["used_at", "used_by"])
        IdentityMatch.objects.filter(user=user, citizen=citizen, resolved_at__isnull=True).update(resolved_at=now)
        actor = Actor.for_user(user)
        for complaint in Complaint.objects.filter(citizen=citizen).order_by("pk"):
            case_event_record(
                complaint=complaint,
                actor=actor,
                kind=CaseEventKind.RECORD_CLAIMED,
                now=now,
                visibility=Visibility.CITIZEN,
            )
    return citizen


def identity_match_resolve(*, match_id: int, actor: Actor, now: datetime) -> IdentityMatch:
    """An officer closes a match task (the person was given a code, or it was not them)."""
    if not actor.is_officer:
        raise NotAllowed(_("Only ombudsman officers handle these tasks."))
    match = IdentityMatch.objects.filter(pk=match_id, resolved_at__isnull=True).first()
    if match is None:
        raise NotFound(_("There is no such open task."))
    match.resolved_at = now
    match.save(update_fields=["resolved_at"])
    return match
