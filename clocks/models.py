"""Legal clocks: one per obligation (not per case), each with a versioned rule, a due time, the
explanation of how it was computed, reminders, escalation levels and a ledger of pauses."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.jurisdictions import JURISDICTION_CHOICES

from .calendar import Period, Unit


class Obligation(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge the referral")
    MARK_DISPUTED = "mark_disputed", _("Mark the record as disputed")
    RESPOND = "respond", _("Answer the complaint")
    CITIZEN_REPLY = "citizen_reply", _("Citizen's reply")
    INFORMATION_REQUEST = "information_request", _("Answer an information request")
    COMPLIANCE = "compliance", _("Carry out an order")
    PROVISIONAL_COMMENT = "provisional_comment", _("Comment on the provisional decision")
    REVIEW = "review", _("Decide a review of the decision")


class OwedBy(models.TextChoices):
    AGENCY = "agency", _("The agency")
    CITIZEN = "citizen", _("The citizen")
    OMBUDSMAN = "ombudsman", _("The ombudsman")


class ClockStatus(models.TextChoices):
    OPEN = "open", _("Running")
    PAUSED = "paused", _("Paused")
    MISSED = "missed", _("Missed (escalating)")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


# Clocks that still bind the party (one per complaint, obligation, party and subject).
ACTIVE_STATUSES = (ClockStatus.OPEN, ClockStatus.PAUSED, ClockStatus.MISSED)
# Clocks the sweep looks at (paused, met and cancelled clocks never remind or escalate).
SWEEPABLE_STATUSES = (ClockStatus.OPEN, ClockStatus.MISSED)

UNIT_CHOICES = [(u.value, u.value.replace("_", " ")) for u in Unit]


class ExtensionPrecondition(models.TextChoices):
    NONE = "", _("No extension precondition")
    CONSUMER_INFORMATION_WITHIN_PERIOD = (
        "consumer_information_within_period",
        _("The consumer sent more information inside the period"),
    )
    NOTICE_WITHIN_FIRST_PERIOD = "notice_within_first_period", _("The extension is notified inside the first period")


class ClockRuleQuerySet(models.QuerySet["ClockRule"]):
    def current(self) -> ClockRuleQuerySet:
        """The newest active version of each code."""
        newest = (
            ClockRule.objects.filter(code=models.OuterRef("code"), active=True).order_by("-version").values("version")
        )
        return self.filter(active=True, version=models.Subquery(newest[:1])).order_by("code")


class ClockRule(models.Model):
    """How a due date is computed. Versioned: a change is a new row; clocks keep their version."""

    code = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(help_text=_("The rule and its legal source."))
    jurisdiction = models.CharField(
        max_length=2,
        blank=True,
        choices=JURISDICTION_CHOICES,
        help_text=_("The rule's own calendar; empty: the agency's jurisdiction."),
    )
    unit = models.CharField(max_length=20, choices=UNIT_CHOICES)
    amount = models.PositiveIntegerField()
    count_start_day = models.BooleanField(default=False)
    roll_forward = models.BooleanField(default=True)
    extension_unit = models.CharField(max_length=20, choices=UNIT_CHOICES, blank=True)
    extension_amount = models.PositiveIntegerField(null=True, blank=True)
    extension_precondition = models.CharField(
        max_length=40, choices=ExtensionPrecondition.choices, blank=True, default=ExtensionPrecondition.NONE
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClockRuleQuerySet.as_manager()

    class Meta:
        ordering = ("code", "-version")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="clock_rule_code_version"),
            models.CheckConstraint(name="clock_rule_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="clock_rule_extension_all_or_none",
                condition=Q(extension_unit="", extension_amount__isnull=True)
                | (~Q(extension_unit="") & Q(extension_amount__gt=0)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def period(self) -> Period:
        return Period(
            amount=self.amount,
            unit=Unit(self.unit),
            count_start_day=self.count_start_day,
            roll_forward=self.roll_forward,
        )

    @property
    def extension_period(self) -> Period | None:
        if not self.extension_unit or not self.extension_amount:
            return None
        return Period(amount=self.extension_amount, unit=Unit(self.extension_unit), roll_forward=self.roll_forward)


class AgencyClockRegime(models.Model):
    """Which rule an agency's obligation runs on (absent: the ombudsman's defaults,
    `clocks.rules_data.DEFAULT_REGIME`)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="clock_regime")
    obligation = models.CharField(max_length=30, choices=Obligation.choices)
    rule_code = models.SlugField(max_length=60)
    urgent_rule_code = models.SlugField(
        max_length=60, blank=True, help_text=_("Rule for urgent complaints; empty: the ombudsman's urgent default.")
    )

    class Meta:
        ordering = ("agency_id", "obligation")
        constraints = [
            models.UniqueConstraint(fields=["agency", "obligation"], name="clock_regime_one_rule_per_obligation")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.obligation}: {self.rule_code}"

    def clean(self) -> None:
        for name in ("rule_code", "urgent_rule_code"):
            code = getattr(self, name)
            if code and not ClockRule.objects.filter(code=code, active=True).exists():
                raise ValidationError({name: f"There is no active clock rule {code!r}."})


class Clock(models.Model):
    # complaint and agency have no index of their own: the composites below lead with them.
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="clocks", db_index=False
    )
    obligation = models.CharField(max_length=30, choices=Obligation.choices)
    owed_by = models.CharField(max_length=10, choices=OwedBy.choices)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="clocks", db_index=False
    )
    subject_key = models.CharField(
        max_length=100, blank=True, help_text=_("What the clock is about, e.g. information_request:12.")
    )
    rule = models.ForeignKey(ClockRule, on_delete=models.PROTECT, related_name="clocks")
    rule_version = models.PositiveSmallIntegerField()
    jurisdiction = models.CharField(max_length=2, help_text=_("The calendar the due date was computed with."))
    started_at = models.DateTimeField()
    received_on = models.DateField()
    due_on = models.DateField(help_text=_("The last day, before pauses."))
    due_at = models.DateTimeField(help_text=_("When the clock runs out, pauses included."))
    explanation = models.TextField()
    status = models.CharField(max_length=10, choices=ClockStatus.choices, default=ClockStatus.OPEN)
    reminder_level = models.PositiveSmallIntegerField(default=0)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_action_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the sweep next has something to do (reminder or escalation).")
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(default=0)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("due_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "obligation", "agency", "subject_key"],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES], agency__isnull=False),
                name="clock_one_active_per_agency_obligation",
            ),
            models.UniqueConstraint(
                fields=["complaint", "obligation", "owed_by", "subject_key"],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES], agency__isnull=True),
                name="clock_one_active_per_party_obligation",
            ),
            models.CheckConstraint(
                name="clock_agency_iff_owed_by_agency",
                condition=Q(owed_by="agency", agency__isnull=False) | (~Q(owed_by="agency") & Q(agency__isnull=True)),
            ),
            models.CheckConstraint(name="clock_escalation_level_range", condition=Q(escalation_level__lte=3)),
            models.CheckConstraint(
                name="clock_paused_iff_paused_at",
                condition=Q(status="paused", paused_at__isnull=False)
                | (~Q(status="paused") & Q(paused_at__isnull=True)),
            ),
            models.CheckConstraint(name="clock_status_valid", condition=Q(status__in=[s.value for s in ClockStatus])),
        ]
        indexes = [
            # The sweep's claim query is a range scan on this partial index: its cost grows with
            # what is due, not with how many clocks are open.
            models.Index(
                fields=["next_action_at"],
                name="clock_sweep_due",
                condition=Q(status__in=[s.value for s in SWEEPABLE_STATUSES]),
            ),
            models.Index(fields=["status", "due_at"], name="clock_status_due"),
            models.Index(fields=["agency", "status", "due_at"], name="clock_agency_status_due"),
            models.Index(fields=["complaint", "obligation"], name="clock_complaint_obligation"),
            # Correction orders look their clocks up by subject key (tribunal.selectors.clock_levels).
            models.Index(fields=["subject_key"], name="clock_subject_key"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.obligation} ({self.status}, due {self.due_at:%Y-%m-%d %H:%M})"

    @property
    def paused_time(self) -> timedelta:
        return timedelta(seconds=self.paused_seconds)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ClockPause(models.Model):
    """The pause ledger: while the ombudsman waits on the citizen the clock stands still, and the
    paused time is added to the due time."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    paused_by = models.CharField(max_length=200)
    resumed_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("paused_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["clock"], condition=Q(resumed_at__isnull=True), name="clock_pause_one_open_per_clock"
            ),
            models.CheckConstraint(
                name="clock_pause_resumed_after_paused",
                condition=Q(resumed_at__isnull=True) | Q(resumed_at__gte=models.F("paused_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} paused {self.paused_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta | None:
        return None if self.resumed_at is None else self.resumed_at - self.paused_at


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")


class ClockNotice(models.Model):
    """One row per reminder level and escalation level a clock has been through: the unique
    constraint makes a second reminder or escalation of the same level impossible, whatever
    the sweep does (run twice at once, redelivered, killed and restarted)."""

    # No index of its own: the unique (clock, kind, level) constraint leads with it.
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="notices", db_index=False)
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    level = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [models.UniqueConstraint(fields=["clock", "kind", "level"], name="clock_notice_once_per_level")]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.kind} {self.level}"
