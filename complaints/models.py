from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from citizens.models import BlacklistEntry, Citizen, CreditScoreRecord
from kernel.actors import ActorKind
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

from .transitions import OPEN_STATUSES, Status

STATUS_LABELS = {
    Status.SUBMITTED: _("Submitted"),
    Status.SCREENING: _("Being checked by the ombudsman"),
    Status.REFERRED: _("Waiting for the agency's answer"),
    Status.AGENCY_RESPONDED: _("The agency has answered"),
    Status.RESOLVED: _("Resolved"),
    Status.INVESTIGATION: _("Under investigation"),
    Status.DETERMINATION: _("Decision issued"),
    Status.COMPLIANCE: _("Decision being carried out"),
    Status.CLOSED: _("Closed"),
    Status.OUT_OF_SCOPE: _("Outside our remit"),
    Status.WITHDRAWN: _("Withdrawn"),
}
# Sorted, so that the partial indexes' conditions (and their migrations) never change order.
OPEN_STATUS_VALUES = sorted(s.value for s in OPEN_STATUSES)
STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]
ACTOR_CHOICES = [(a.value, a.value.replace("_", " ")) for a in ActorKind]


class Category(models.TextChoices):
    INACCURATE_DATA = "inaccurate_data", _("The information is wrong")
    IDENTITY_MIXUP = "identity_mixup", _("It is about someone else (identity mix-up)")
    OUTDATED = "outdated", _("It is out of date or should have expired")
    UNLAWFUL_CATEGORY = "unlawful_category", _("It should never have been recorded (no legal basis)")
    DERIVED_FROM_RELATIVE = "derived_from_relative", _("I was listed because of a relative")
    UNDISCLOSED_CRITERIA = "undisclosed_criteria", _("I want to know how my score is calculated")
    CONFLICT_OF_INTEREST = "conflict_of_interest", _("The agency has a conflict of interest")
    OTHER = "other", _("Something else")


class UrgencyReason(models.TextChoices):
    TRAVEL = "travel", _("It blocks imminent travel")
    SCHOOL = "school", _("It blocks school enrolment")
    WORK = "work", _("It blocks work or a job offer")
    OTHER = "other", _("Other serious, imminent harm")


class Channel(models.TextChoices):
    WEB = "web", _("Online")
    PHONE = "phone", _("Phone (assisted)")
    WALK_IN = "walk_in", _("In person (assisted)")
    POST = "post", _("Post")


class ReferenceSequence(models.Model):
    """One row per year; locked to hand out `OMB-<year>-<n>` without gaps or clashes."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


SEARCH_SOURCES = frozenset({"reference", "citizen", "statement", "other_record_description", "respondent"})


CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def search_text_of(*parts: str) -> str:
    """The search column's text: the parts, lower case, whitespace collapsed, then every pair of
    neighbouring Chinese characters (and the last of each run) as words of their own, so that a
    one- or two-character Chinese term is a word the full-text index finds (Chinese is not
    segmented into words, and trigrams need three characters). The migration that fills the
    column keeps a copy of this function."""
    text = " ".join(" ".join(p.split()) for p in parts if p and p.strip()).lower()
    grams: list[str] = []
    for run in CJK_RUN.findall(text):
        grams += [run[i : i + 2] for i in range(len(run) - 1)]
        grams.append(run[-1])
    return f"{text} | {' '.join(grams)}" if grams else text


class Complaint(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    # The foreign keys' own indexes are left out where a composite below starts with the column.
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="complaints", db_index=False)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filed_complaints")
    respondent = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="complaints", db_index=False)
    blacklist_entry = models.ForeignKey(
        BlacklistEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    score_record = models.ForeignKey(
        CreditScoreRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    other_record_description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    statement = models.TextField()
    remedies_sought = models.JSONField(default=list)
    remedy_detail = models.TextField(blank=True)
    urgent = models.BooleanField(default=False)
    urgency_reason = models.CharField(max_length=20, choices=UrgencyReason.choices, blank=True)
    urgency_detail = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=Status.SUBMITTED.value)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=10, default="en")
    # Screening findings (DESIGN.md triage aids), set by the screening service.
    flag_unlawful_category = models.BooleanField(default=False)
    flag_derived_from_relative = models.BooleanField(default=False)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    agency_in_default = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    # The current referral and the agency's one-off duties on it (reset by each referral).
    referred_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    marked_disputed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the officers' search reads (`officer.selectors.search_complaints`): the reference, the
    # citizen's name, the statement, the record description and the respondent's names, lower
    # case; on PostgreSQL a pg_trgm GIN index (substrings, Chinese) and a full-text GIN index
    # (words) cover it (migration 0006). Kept by `save()` when one of its sources is saved.
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ("-submitted_at",)
        constraints = [
            models.CheckConstraint(
                name="complaint_one_disputed_record",
                condition=(
                    Q(blacklist_entry__isnull=False, score_record__isnull=True)
                    | Q(blacklist_entry__isnull=True, score_record__isnull=False)
                    | (Q(blacklist_entry__isnull=True, score_record__isnull=True) & ~Q(other_record_description=""))
                ),
            ),
            models.CheckConstraint(
                name="complaint_urgent_has_reason", condition=Q(urgent=False) | ~Q(urgency_reason="")
            ),
            models.CheckConstraint(name="complaint_status_valid", condition=Q(status__in=[s.value for s in Status])),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            # The agency referral list: one agency's referrals, newest change first (cursor
            # pagination on (-updated_at, -id)), with and without a status filter.
            models.Index(fields=["respondent", "status", "updated_at", "id"], name="complaint_resp_status_upd"),
            models.Index(
                fields=["respondent", "-updated_at", "-id"],
                name="complaint_referrals",
                condition=Q(referred_at__isnull=False),
            ),
            models.Index(fields=["assigned_officer", "status"]),
            models.Index(fields=["citizen", "status"]),
            # "My cases": one citizen's cases, newest first.
            models.Index(fields=["citizen", "-submitted_at"], name="complaint_citizen_submitted"),
            # Officer queues, each read by keyset in its page order (urgent first, oldest first, id):
            # a one-status queue, the open cases, every case.
            models.Index(fields=["status", "urgent", "submitted_at", "id"], name="complaint_status_queue"),
            models.Index(
                fields=["urgent", "submitted_at", "id"],
                name="complaint_open_queue",
                condition=Q(status__in=OPEN_STATUS_VALUES),
            ),
            models.Index(fields=["urgent", "submitted_at", "id"], name="complaint_all_queue"),
            # Officer queue counts and open cases by agency and by officer: the open cases only.
            models.Index(
                fields=["status", "respondent", "assigned_officer"],
                name="complaint_open_counts",
                condition=Q(status__in=OPEN_STATUS_VALUES),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or SEARCH_SOURCES & set(fields):
            self.search_text = search_text_of(
                self.reference,
                self.citizen.full_name,
                self.statement,
                self.other_record_description,
                self.respondent.name_en,
                self.respondent.name_zh,
            )
            if fields is not None:
                kwargs["update_fields"] = [*fields, "search_text"]
        super().save(*args, **kwargs)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status_enum])

    @property
    def disputed_record(self) -> BlacklistEntry | CreditScoreRecord | None:
        return self.blacklist_entry or self.score_record


class AppendOnlyError(Exception):
    pass


class CaseEventQuerySet(models.QuerySet["CaseEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The case timeline is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The case timeline is append-only.")

    def erase_messages(self, marker: str) -> int:
        """The one change the timeline allows: its free text replaced by `marker` when the retention
        schedule or a granted deletion request erases the case's personal data (privacy.services).
        Kinds, times, actors and data (ids, outcomes) stay, so the timeline and the statistics read
        from it are unchanged."""
        return super().update(message=marker)


class CaseEvent(models.Model):
    """One step on a case's append-only timeline, with who did it and who may see it."""

    # No index of its own: (complaint, created_at) below covers it.
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events", db_index=False)
    created_at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=20, choices=ACTOR_CHOICES)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=60, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        # `kind` is compared for equality only: a plain index, no `_like` pattern index.
        indexes = [
            models.Index(fields=["complaint", "created_at"]),
            models.Index(fields=["kind"], name="case_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The case timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The case timeline is append-only.")


class AgencyOutcome(models.TextChoices):
    CORRECTED = "corrected", _("Corrected")
    DELETED = "deleted", _("Deleted")
    VERIFIED = "verified", _("Verified as accurate")
    PARTIALLY_CORRECTED = "partially_corrected", _("Partly corrected")
    NEEDS_INFORMATION = "needs_information", _("Needs more information")
    MISDIRECTED = "misdirected", _("Not held by this agency")


class AgencyResponse(models.Model):
    """An agency's structured answer to a referral (e-OSCAR ACDV style)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="agency_responses")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="responses")
    outcome = models.CharField(max_length=30, choices=AgencyOutcome.choices)
    explanation = models.TextField()
    # [{"field", "old_value", "new_value"}]
    corrections = models.JSONField(default=list, blank=True)
    # [{"factor", "description", "direction_or_weight", "data_source"}]
    scoring_criteria = models.JSONField(default=list, blank=True)
    responded_at = models.DateTimeField()
    actor_label = models.CharField(max_length=200)

    class Meta:
        ordering = ("responded_at", "id")
        indexes = [models.Index(fields=["agency", "responded_at"])]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.outcome}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name: a random name with the sniffed extension.
    return f"evidence/{instance.complaint_id}/{instance.stored_name}"


class Attachment(models.Model):
    """Evidence files on a case, from the citizen, an officer or an agency."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PARTIES)
    uploaded_by_kind = models.CharField(max_length=20, choices=ACTOR_CHOICES)
    uploaded_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    uploaded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.original_name}"
