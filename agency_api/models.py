"""Agency API: machine clients (one OAuth2 application per client, one agency per client), the
agency's webhook endpoint, and the per-client Idempotency-Key store."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel import crypto

WEBHOOK_SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class ApiClient(models.Model):
    """An agency's machine client: wraps one django-oauth-toolkit Application (client credentials,
    hashed secret) and ties it to exactly one agency."""

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="agency_client"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("agency", "name")
        verbose_name = _("agency API client")

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.slug})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def label(self) -> str:
        """How the client appears on a case timeline."""
        return f"{self.agency.name_en} (API client {self.name})"[:200]


class WebhookEndpoint(models.Model):
    """The one HTTPS endpoint an agency registers for events. The secret is shown once."""

    agency = models.OneToOneField("agencies.Agency", on_delete=models.CASCADE, related_name="webhook_endpoint")
    url = models.URLField(max_length=500)
    # The signing secret, encrypted with the key ring (kernel.crypto; `rotate_keys` re-encrypts it).
    # Read and set it through `secret`.
    secret_ciphertext = models.TextField(editable=False, default="")
    # After a rotation the replaced secret still signs (a second `v1,` signature) until
    # `previous_secret_expires_at`, so receivers can switch without losing events. Encrypted too.
    previous_secret_ciphertext = models.TextField(editable=False, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Hash of the client and Idempotency-Key of the last rotating PUT: its retry rotates nothing.
    rotation_key = models.CharField(max_length=64, blank=True, editable=False)
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("agency",)

    def __str__(self) -> str:
        return f"{self.agency.slug}: {self.url}"

    @property
    def secret(self) -> str:
        """The `whsec_` signing secret in clear (decrypted on each read)."""
        return crypto.decrypt(self.secret_ciphertext) if self.secret_ciphertext else ""

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_ciphertext = crypto.encrypt(value) if value else ""

    @property
    def previous_secret(self) -> str:
        """The replaced secret in clear ('' if none)."""
        return crypto.decrypt(self.previous_secret_ciphertext) if self.previous_secret_ciphertext else ""

    @previous_secret.setter
    def previous_secret(self, value: str) -> None:
        self.previous_secret_ciphertext = crypto.encrypt(value) if value else ""

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign an event sent at `now`: the current one, and the replaced one
        during its overlap."""
        keys = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret_ciphertext and expires is not None and now < expires:
            keys.append(self.previous_secret)
        return keys


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an `Idempotency-Key`, per client, replayed for retries."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of method, path and body."))
    completed = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique_per_client")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"
