"""Retention and the citizen's rights (PIPL arts. 19, 45, 47).

Erasure          the audit row of one erasure: a case's evidence files (kind `files`), its
                 personal data (`case`) or a person's record (`person`): when, why (the
                 schedule or a granted request) and what was erased (counts). A case erased
                 after its last closure is not erased again (running the job twice is a no-op)
DeletionRequest  a citizen's request to delete their data, with their reason; an officer
                 grants it (the data is erased at once, by the same service as the nightly job)
                 or refuses it with a reason the citizen is told in their language
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from citizens.models import Citizen

# What an erased text field says instead (never invented data); pages translate it.
ERASED = gettext_noop("[erased]")


class ErasureKind(models.TextChoices):
    FILES = "files", _("A case's evidence files")
    CASE = "case", _("A case's personal data")
    PERSON = "person", _("A person's record")


class ErasureTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("The retention schedule")
    REQUEST = "request", _("The person's deletion request")


class Erasure(models.Model):
    kind = models.CharField(max_length=10, choices=ErasureKind.choices)
    # A plain id (the case or the person), no foreign key: the audit row outlives what it names.
    subject_id = models.BigIntegerField()
    citizen_id = models.BigIntegerField(db_index=True)
    at = models.DateTimeField()
    trigger = models.CharField(max_length=10, choices=ErasureTrigger.choices)
    request = models.ForeignKey(
        "DeletionRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="erasures"
    )
    counts = models.JSONField(default=dict, blank=True, help_text="What was erased: {field or kind: n}.")

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=("kind", "subject_id", "at"), name="erasure_subject")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} erased {self.at:%Y-%m-%d}"


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an officer")
    GRANTED = "granted", _("Granted: your data was erased")
    REFUSED = "refused", _("Refused")


class DeletionRequest(models.Model):
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="deletion_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=DeletionStatus.choices, default=DeletionStatus.PENDING)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("citizen",), condition=Q(status="pending"), name="one_pending_deletion_request"
            ),
            models.CheckConstraint(
                name="deletion_request_decided",
                condition=Q(status="pending") | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=("status", "created_at"), name="deletion_request_queue")]

    def __str__(self) -> str:
        return f"deletion request {self.pk} ({self.status})"
