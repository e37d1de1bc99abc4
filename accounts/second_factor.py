"""Who must sign in with a second factor, and whether they have one.

Every officer, senior officer, Django admin user (staff or superuser) and agency user needs a
second factor (TOTP or WebAuthn; recovery codes only back them up) before any staff page, agency
page, staff API call or the admin answers (accounts.middleware). Citizens may add one."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator

from agencies.models import AgencyMembership

from .models import User

PRIMARY_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def second_factor_required(user: User) -> bool:
    if user.is_staff or user.is_superuser or user.is_officer:
        return True
    try:
        return user.agency_membership is not None  # loaded with the user (accounts.backends)
    except AgencyMembership.DoesNotExist:
        return False


def has_second_factor(user: User) -> bool:
    """A TOTP app or a security key (recovery codes alone do not count)."""
    return get_mfa_adapter().is_mfa_enabled(user, types=PRIMARY_FACTORS)
