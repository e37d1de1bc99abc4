"""Agency staff invitations: an officer invites a person by email to an agency with a role; the
link is valid for 7 days and works once. Accepting creates the account (or, for an address that
already has one, asks that person to sign in first) and the agency membership.

    invitation, token = agency_invitation_create(agency=..., email=..., role=..., actor=..., now=...)
    user = agency_invitation_accept(token=..., full_name=..., password=..., now=...)
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyInvitation, AgencyMembership, AgencyRole
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, NotFound, ServiceError
from outbox.services import outbox_email

from .models import User
from .services import user_mark_email_verified

VALID_FOR = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return f"{settings.OMBUDSMAN_BASE_URL.rstrip('/')}/agency/invitations/{token}/"


def agency_invitation_create(
    *, agency: Agency, email: str, role: str, actor: Actor, now: datetime, language: str = "en"
) -> tuple[AgencyInvitation, str]:
    """Invite `email` to `agency` as `role`; the email (outbox) carries the link. Officers only."""
    if not actor.is_officer or actor.user is None:
        raise NotAllowed(_("Only ombudsman officers can invite agency staff."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(_("Enter a valid email address."), field="email") from None
    if role not in AgencyRole.values:
        raise ServiceError(_("Choose administrator or responder."), field="role")
    existing = User.objects.filter(email=email).first()
    if existing is not None and (existing.is_officer or AgencyMembership.objects.filter(user=existing).exists()):
        raise Conflict(_("This address already belongs to an officer or to an agency's staff."), field="email")
    token = secrets.token_urlsafe(32)
    lang = language if language in ("en", "zh-hans") else "en"
    with transaction.atomic():
        invitation = AgencyInvitation.objects.create(
            agency=agency,
            email=email,
            role=role,
            language=lang,
            token_hash=token_hash(token),
            invited_by=actor.user,
            created_at=now,
            expires_at=now + VALID_FOR,
        )
        with translation.override(lang):
            subject = _("Your invitation to answer complaints for %(agency)s") % {"agency": agency.display_name}
            body = _(
                "The credit ombudsman invites you to work on complaints referred to %(agency)s, as %(role)s.\n\n"
                "Open this link within 7 days to create your account (it works once):\n%(url)s\n"
            ) % {"agency": agency.display_name, "role": AgencyRole(role).label, "url": invitation_url(token)}
        outbox_email(
            to=email,
            subject=subject,
            body=body,
            topic="agency.invitation",
            dedupe_key=f"agency.invitation:{invitation.pk}",
            now=now,
        )
    return invitation, token


def agency_invitation_get(*, token: str, now: datetime) -> AgencyInvitation:
    """The invitation for `token`, if it is still open (NotFound, or Conflict once used/expired)."""
    invitation = AgencyInvitation.objects.select_related("agency").filter(token_hash=token_hash(token or "")).first()
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at <= now:
        raise Conflict(_("This invitation has expired. Ask the ombudsman for a new one."))
    return invitation


def agency_invitation_accept(
    *, token: str, now: datetime, full_name: str = "", password: str = "", user: User | None = None
) -> User:
    """Use the invitation once: a new account with `full_name` and `password`, or the signed-in
    `user` whose address it was sent to. Either way the agency membership is created."""
    with transaction.atomic():
        invitation = agency_invitation_get(token=token, now=now)
        invitation = AgencyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Conflict(_("This invitation has already been used. Sign in instead."))
        existing = User.objects.filter(email=invitation.email).first()
        if existing is not None:
            if user is None or user.pk != existing.pk:
                raise NotAllowed(_("An account with this address exists: sign in with it, then open the link again."))
            account = existing
        else:
            if not (full_name or "").strip():
                raise ServiceError(_("Enter your full name."), field="full_name")
            account = User(email=invitation.email, full_name=full_name.strip(), preferred_language=invitation.language)
            try:
                validate_password(password, account)
            except ValidationError as exc:
                raise ServiceError(" ".join(exc.messages), field="password") from None
            account.set_password(password)
            account.save()
        if AgencyMembership.objects.filter(user=account).exists():
            raise Conflict(_("This account already works for an agency."), field="email")
        user_mark_email_verified(user=account)  # the link was mailed to this address
        AgencyMembership.objects.create(user=account, agency=invitation.agency, role=invitation.role)
        invitation.accepted_at = now
        invitation.accepted_by = account
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return account
