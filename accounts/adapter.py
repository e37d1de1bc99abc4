"""django-allauth hooks: account mail leaves through the outbox (never sent inside the request),
the site is called by its name, and MFA secrets are stored encrypted with the key ring."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from kernel import crypto
from outbox.services import outbox_email

from .models import User
from .second_factor import PRIMARY_FACTORS, second_factor_required

SITE_NAME = "Credit Ombudsman"


@dataclass(frozen=True)
class Site:
    """What allauth's mail templates read as `current_site` (no django.contrib.sites here)."""

    name: str
    domain: str


def current_site() -> Site:
    base = settings.OMBUDSMAN_BASE_URL.rstrip("/")
    return Site(name=SITE_NAME, domain=base.split("://", 1)[-1])


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        ctx: dict[str, Any] = {"email": email, "current_site": current_site()}
        request = getattr(self, "request", None)
        if request is not None:
            ctx["request"] = request
        ctx.update(context)
        ctx["current_site"] = current_site()
        message = self.render_mail(template_prefix, email, ctx)
        kind = template_prefix.rsplit("/", 1)[-1]
        outbox_email(
            to=email,
            subject=str(message.subject),
            body=str(message.body),
            topic=f"account.{kind}",
            dedupe_key=f"account:{kind}:{uuid.uuid4()}",
            now=timezone.now(),
        )

    def format_email_subject(self, subject: str) -> str:
        return f"{SITE_NAME}: {subject}"

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return SITE_NAME

    def _get_site_name(self) -> str:
        return SITE_NAME

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff and agency users keep at least one primary factor (TOTP or a security key)."""
        user = authenticator.user
        if not isinstance(user, User) or authenticator.type not in PRIMARY_FACTORS:
            return True
        if not second_factor_required(user):
            return True
        others = Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_FACTORS).exclude(pk=authenticator.pk)
        return others.exists()
