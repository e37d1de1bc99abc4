"""The tribunal: information requests, determinations, correction orders propagated to every holder
of a record, the re-insertion watch, and the public registers (scoring criteria, conflicts of
interest). Every write goes through `tribunal.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, RecordCategory
from complaints.models import AgencyResponse, Complaint


class InformationRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the agency")
    ANSWERED = "answered", _("Answered")
    CANCELLED = "cancelled", _("Cancelled")


class InformationRequest(models.Model):
    """A demand for information sent during an investigation to ANY agency (a party or not)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="information_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="information_requests")
    questions = models.JSONField(default=list, help_text=_("List of questions (strings)."))
    requested_documents = models.JSONField(default=list, blank=True, help_text=_("List of documents (strings)."))
    status = models.CharField(
        max_length=20, choices=InformationRequestStatus.choices, default=InformationRequestStatus.OPEN, db_index=True
    )
    due_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    answer_text = models.TextField(blank=True)
    # [{"question": str, "answer": str}]
    answers = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["agency", "status"])]
        constraints = [
            models.CheckConstraint(
                name="information_request_answered_has_time",
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"IR-{self.pk} {self.agency.slug}"

    @property
    def subject_key(self) -> str:
        return f"information_request:{self.pk}"


class InformationDocument(models.Model):
    """A file an agency sent with its answer (type sniffed, size-limited, stored under a random name)."""

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="information/%Y/", max_length=300)
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.original_name


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class DeterminationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Signed by a senior officer and shared with the citizen and the agency for comment; the final
    # determination is signed after the comment period (it may change).
    PROVISIONAL = "provisional", _("Provisional: shared for comment")
    ISSUED = "issued", _("Issued")


# The statuses of a determination still being worked on (one per case).
UNISSUED_STATUSES = (DeterminationStatus.DRAFT, DeterminationStatus.PROVISIONAL)


class Determination(models.Model):
    """The ombudsman's decision: drafted by the case officer; shared as a provisional decision
    for comment (signed by a senior officer who is not the drafter) or that step skipped with a
    recorded reason; then signed (and so issued) by a senior officer who is not the drafter."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="determinations")
    number = models.CharField(max_length=20, unique=True, null=True, blank=True, help_text=_("Given on issue."))
    status = models.CharField(
        max_length=12, choices=DeterminationStatus.choices, default=DeterminationStatus.DRAFT, db_index=True
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    findings = models.TextField()
    reasons = models.TextField()
    # [{"kind": complaints.remedies.Remedy, "field"?, "new_value"?, "sanction"?, "amount"?, "currency"?,
    #   "detail"?}] (validated by tribunal/remedies.py)
    remedies = models.JSONField(default=list, blank=True)
    public_summary = models.TextField(help_text=_("Published in the register: no personal data."))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The provisional step: what was shared (outcome, findings, reasons, remedies as they were),
    # when and by whom; or why it was skipped. `comments_considered` says, in the final decision,
    # how the parties' comments were weighed.
    provisional_shared_at = models.DateTimeField(null=True, blank=True)
    provisional_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provisional_text = models.JSONField(default=dict, blank=True)
    provisional_skip_reason = models.TextField(blank=True)
    comments_considered = models.TextField(blank=True)
    # Set when a published summary fails the screening as it is now (`rescreen_public_summaries`):
    # the register then shows that the summary is withheld instead of the text.
    summary_withheld_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = [
            models.CheckConstraint(
                name="determination_signer_is_not_drafter",
                condition=Q(signed_by__isnull=True) | ~Q(signed_by=models.F("drafted_by")),
            ),
            models.CheckConstraint(
                name="determination_issued_is_signed",
                condition=Q(status__in=["draft", "provisional"])
                | Q(signed_by__isnull=False, issued_at__isnull=False, number__isnull=False),
            ),
            models.CheckConstraint(
                name="determination_provisional_is_shared",
                condition=~Q(status="provisional")
                | Q(provisional_signed_by__isnull=False, provisional_shared_at__isnull=False),
            ),
            models.CheckConstraint(
                name="determination_provisional_signer_is_not_drafter",
                condition=Q(provisional_signed_by__isnull=True) | ~Q(provisional_signed_by=models.F("drafted_by")),
            ),
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(status__in=["draft", "provisional"]),
                name="determination_one_draft_per_case",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    @property
    def register_summary(self) -> str:
        """The summary the public registers show ("" while it is withheld)."""
        return "" if self.summary_withheld_at else self.public_summary

    @property
    def remedy_kinds(self) -> list[str]:
        return [r["kind"] for r in self.remedies]


class CommentParty(models.TextChoices):
    CITIZEN = "citizen", _("The citizen")
    AGENCY = "agency", _("The agency")


class ProvisionalComment(models.Model):
    """A party's comment on a provisional determination; it joins the case and the final decision
    says how it was considered."""

    determination = models.ForeignKey(Determination, on_delete=models.CASCADE, related_name="provisional_comments")
    party = models.CharField(max_length=10, choices=CommentParty.choices)
    author_label = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["determination", "party"])]

    def __str__(self) -> str:
        return f"{self.party} on {self.determination_id}"


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    VARIED = "varied", _("Varied")
    SET_ASIDE = "set_aside", _("Set aside")


class DeterminationReview(models.Model):
    """A party's request that a final determination be reviewed (once per determination, within
    30 days of its issue), decided by a senior officer who took no part in the case: confirmed,
    varied (the remedies changed, orders superseded or added) or set aside (the case goes back to
    investigation for a new decision)."""

    determination = models.OneToOneField(Determination, on_delete=models.PROTECT, related_name="review")
    party = models.CharField(max_length=10, choices=CommentParty.choices)
    requested_by_label = models.CharField(max_length=200)
    reasons = models.TextField()
    requested_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The remedies before a variation (the determination then holds the varied ones).
    remedies_before = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("requested_at", "id")
        constraints = [
            models.CheckConstraint(
                name="review_decided_has_outcome",
                condition=Q(decided_at__isnull=True, outcome="")
                | (Q(decided_at__isnull=False, decided_by__isnull=False) & ~Q(outcome="")),
            )
        ]

    def __str__(self) -> str:
        return f"review of {self.determination}"

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class CorrectionTrigger(models.TextChoices):
    DETERMINATION = "determination", _("Ordered by a determination")
    AGENCY_CORRECTION = "agency_correction", _("The holder corrected its own record")


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered, waiting for the agency")
    CONFIRMED = "confirmed", _("Carried out (confirmed)")
    WAIVED = "waived", _("Waived by a senior officer")
    SUPERSEDED = "superseded", _("Replaced by a determination's order")


class CorrectionOrder(models.Model):
    """One agency's duty to carry out a correction: the respondent, or a recipient of the record."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="correction_orders")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="correction_orders")
    trigger = models.CharField(max_length=20, choices=CorrectionTrigger.choices)
    determination = models.ForeignKey(
        Determination, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    agency_response = models.ForeignKey(
        AgencyResponse, on_delete=models.PROTECT, null=True, blank=True, related_name="correction_orders"
    )
    received_via = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text=_("Empty: the holder.")
    )
    path = models.JSONField(default=list, help_text=_("Agency slugs the record travelled through, origin first."))
    depth = models.PositiveSmallIntegerField(default=0)
    # What to do, items shaped like Determination.remedies: the record-changing remedies (all
    # holders), plus apology/compensation/criteria for the respondent only.
    actions = models.JSONField(default=list)
    record_reference = models.CharField(max_length=100, blank=True, help_text=_("The origin's record id."))
    category = models.ForeignKey(RecordCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.ORDERED, db_index=True)
    ordered_at = models.DateTimeField()
    due_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by_label = models.CharField(max_length=200, blank=True)
    evidence_before = models.JSONField(default=dict, blank=True)
    evidence_after = models.JSONField(default=dict, blank=True)
    confirmation_note = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    waiver_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("ordered_at", "depth", "id")
        indexes = [models.Index(fields=["agency", "status"]), models.Index(fields=["complaint", "status"])]
        constraints = [
            # Each agency receives exactly one order per determination / per self-correction.
            models.UniqueConstraint(
                fields=["determination", "agency"],
                condition=Q(determination__isnull=False),
                name="correction_order_one_per_agency_per_determination",
            ),
            models.UniqueConstraint(
                fields=["agency_response", "agency"],
                condition=Q(agency_response__isnull=False),
                name="correction_order_one_per_agency_per_response",
            ),
            models.CheckConstraint(
                name="correction_order_has_one_trigger",
                condition=Q(trigger="determination", determination__isnull=False, agency_response__isnull=True)
                | Q(trigger="agency_correction", determination__isnull=True, agency_response__isnull=False),
            ),
            models.CheckConstraint(
                name="correction_order_waiver_has_reason",
                condition=~Q(status="waived") | (Q(waived_by__isnull=False) & ~Q(waiver_reason="")),
            ),
            models.CheckConstraint(
                name="correction_order_confirmed_has_time",
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"CO-{self.pk} {self.agency.slug} ({self.status})"

    @property
    def subject_key(self) -> str:
        return f"correction_order:{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.status in (OrderStatus.CONFIRMED, OrderStatus.WAIVED, OrderStatus.SUPERSEDED)


class DeletionWatch(models.Model):
    """A record ordered deleted (or deleted by its holder): if it comes back anywhere, the case reopens."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="deletion_watches")
    citizen_match_token = models.CharField(max_length=64, db_index=True, help_text=_("The citizen's ID hash."))
    category = models.ForeignKey(RecordCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency_record_id = models.CharField(max_length=100, blank=True)
    agencies = models.ManyToManyField(Agency, related_name="+", help_text=_("Holders ordered to delete."))
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"watch {self.pk} on {self.complaint_id}"


class ReportedRecord(models.Model):
    """A record an agency reported holding (API or import), checked against the deletion watch."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reported_records")
    citizen_match_token = models.CharField(max_length=64, db_index=True)
    agency_record_id = models.CharField(max_length=100)
    category = models.ForeignKey(RecordCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    list_name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, default="api")
    reported_at = models.DateTimeField()
    matched_watch = models.ForeignKey(
        DeletionWatch, on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )

    class Meta:
        ordering = ("-reported_at", "-id")

    def __str__(self) -> str:
        return f"{self.agency.slug} {self.agency_record_id}"


class CriteriaDisclosure(models.Model):
    """One version of an agency's disclosed scoring criteria (public register, versioned and dated)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="criteria_disclosures")
    version = models.PositiveIntegerField()
    # [{"factor", "description", "direction_or_weight", "data_source"}]
    criteria = models.JSONField()
    disclosed_at = models.DateTimeField()
    source_response = models.ForeignKey(
        AgencyResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_order = models.ForeignKey(
        CorrectionOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("agency__name_en", "-version")
        constraints = [models.UniqueConstraint(fields=["agency", "version"], name="criteria_disclosure_version")]

    def __str__(self) -> str:
        return f"{self.agency.slug} v{self.version}"


class ConflictKind(models.TextChoices):
    PAID_SCORE_IMPROVEMENT = "paid_score_improvement", _("Sells paid score-improvement services")
    SHAREHOLDING = "shareholding", _("Holds shares in another agency")
    OTHER = "other", _("Other conflict of interest")


class ConflictOfInterest(models.Model):
    """Public register entry: a conflict of interest of an agency (edited by officers)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="conflicts_of_interest")
    kind = models.CharField(max_length=30, choices=ConflictKind.choices)
    related_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conflicts_as_related",
        help_text=_("The agency it holds shares in, for shareholdings."),
    )
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    description = models.TextField()
    source = models.CharField(max_length=300, blank=True, help_text=_("Where this is documented."))
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    published = models.BooleanField(default=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("agency__name_en", "kind", "id")
        verbose_name_plural = "conflicts of interest"
        constraints = [
            models.CheckConstraint(
                name="conflict_shareholding_names_agency",
                condition=~Q(kind="shareholding") | Q(related_agency__isnull=False),
            ),
            models.CheckConstraint(
                name="conflict_not_with_itself",
                condition=Q(related_agency__isnull=True) | ~Q(related_agency=models.F("agency")),
            ),
            models.CheckConstraint(
                name="conflict_share_percent_range",
                condition=Q(share_percent__isnull=True) | (Q(share_percent__gt=0) & Q(share_percent__lte=100)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.slug}: {self.kind}"
