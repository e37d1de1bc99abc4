"""Writes to accounts outside allauth's own forms (house rule 1): addresses the service already
trusts, and TOTP set up for demo and test users.

Self-service sign-up verifies the address by mail (allauth). An address is marked verified here
only where the service itself proved it: an invitation link mailed to it, an account an operator
made (demo, createsuperuser through the admin)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.db import transaction

from .models import User


def user_mark_email_verified(*, user: User) -> EmailAddress:
    """The user's address as their verified primary address (idempotent)."""
    with transaction.atomic():
        address, _ = EmailAddress.objects.get_or_create(
            user=user, email__iexact=user.email, defaults={"email": user.email, "primary": True, "verified": True}
        )
        if not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
    return address


def user_activate_totp(*, user: User, secret: str) -> Authenticator:
    """A TOTP authenticator with a known base32 secret (demo and test accounts only; people set
    theirs up on /accounts/2fa/). Idempotent: an existing TOTP authenticator is kept."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    return TOTP.activate(user, secret).instance


def totp_code_now(secret: str, *, at: float) -> str:
    """The current 6-digit code for a base32 secret at Unix time `at` (demo: `dev.py totp`)."""
    period = int(getattr(settings, "MFA_TOTP_PERIOD", 30))
    return format_hotp_value(hotp_value(secret, int(at) // period))
