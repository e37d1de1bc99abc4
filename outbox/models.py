"""The transactional outbox: every side effect (email, webhook) is a row written in the same
transaction as the state change that causes it, then delivered by a Celery task with retries.

Rows are built by the builders in `outbox.services` (`outbox_email_row`, `outbox_webhook_row`),
whether saved one by one or inserted in bulk."""

from __future__ import annotations

import uuid

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Given up"
    CANCELLED = "cancelled", "Cancelled"
    # The webhook address guard refused the endpoint (not https, a private address): nothing was
    # sent. Not retried on its own (the endpoint must change first); like every final status it
    # can be queued again with `outbox.services.outbox_requeue` (redelivery from the event feed).
    REFUSED = "refused", "Refused by the address guard"


# Final statuses a message can be queued again from (redelivery from the event feed).
REQUEUEABLE = (OutboxStatus.DEAD, OutboxStatus.REFUSED, OutboxStatus.CANCELLED, OutboxStatus.DELIVERED)


class OutboxMessage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    topic = models.CharField(max_length=60, help_text="Event type, e.g. referral.created")
    # Unique through a constraint (below), so no `_like` pattern index: it is only compared for equality.
    dedupe_key = models.CharField(max_length=200, help_text="The same effect is never queued twice.")
    recipient = models.CharField(max_length=300, help_text="Email address or agency slug.")
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
        db_index=False,  # covered by (agency, created_at)
    )
    # The case the message is about, as a plain id: the outbox sits below every domain app and
    # knows nothing of complaints (no foreign key, so no cascade: messages outlive their case).
    complaint_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    # Which relay run holds the lease: a claim writes a fresh token, and the relay writes an
    # outcome (or renews the lease) only while the row still carries its token.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at",)
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_pending_due", condition=models.Q(status="pending")),
            models.Index(fields=["agency", "created_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="outbox_dedupe_key_unique")]

    def __str__(self) -> str:
        return f"{self.topic} -> {self.recipient} ({self.status})"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per attempt, visible to officers."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("attempted_at", "id")

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.succeeded else 'failed'} {self.status_code or ''}"


class SlowDestination(models.Model):
    """An agency whose webhook endpoint answered slowly (or not at all): until `until`, its
    messages are relayed by the slow lane (its own Celery queue), so it cannot delay the webhooks
    of other agencies. A fast answer in the slow lane ends the mark early."""

    agency_id = models.BigIntegerField(unique=True)
    marked_at = models.DateTimeField()
    until = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"agency {self.agency_id} slow until {self.until}"
