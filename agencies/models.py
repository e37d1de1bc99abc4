"""Reference data: the agencies that hold records, the catalogue of record categories, and the
data-sharing links along which a wrong record (and so its correction) travels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .jurisdictions import DEFAULT_JURISDICTION, JURISDICTION_CHOICES


class AgencyKind(models.TextChoices):
    COURT_LIST_OPERATOR = "court_list_operator", _("Court list operator")
    GOVERNMENT_SCHEME = "government_scheme", _("Government scheme")
    LOCAL_SCHEME = "local_scheme", _("Local scheme")
    COMMERCIAL_PLATFORM = "commercial_platform", _("Commercial platform")
    CREDIT_BUREAU = "credit_bureau", _("Credit bureau")


class Agency(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    slug = models.SlugField(unique=True, max_length=80)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices, db_index=True)
    # The agency's working-day calendar and time zone (the table in agencies.jurisdictions).
    jurisdiction = models.CharField(max_length=2, choices=JURISDICTION_CHOICES, default=DEFAULT_JURISDICTION)
    score_min = models.IntegerField(null=True, blank=True, help_text=_("Lowest score; empty for list operators."))
    score_max = models.IntegerField(null=True, blank=True)
    score_start = models.IntegerField(null=True, blank=True, help_text=_("Score every person starts from."))
    escalation_contact_name = models.CharField(max_length=200, blank=True)
    escalation_contact_email = models.EmailField(blank=True)
    contact_email = models.EmailField(blank=True, help_text=_("Where ordinary notices go."))
    website = models.URLField(blank=True)
    active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name_en",)
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                name="agency_score_scale_all_or_none",
                condition=(
                    Q(score_min__isnull=True, score_max__isnull=True, score_start__isnull=True)
                    | Q(score_min__isnull=False, score_max__isnull=False, score_start__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="agency_score_scale_ordered",
                condition=Q(score_min__isnull=True)
                | (
                    Q(score_min__lt=models.F("score_max"))
                    & Q(score_start__gte=models.F("score_min"))
                    & Q(score_start__lte=models.F("score_max"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en

    @property
    def has_score_scale(self) -> bool:
        return self.score_min is not None


class RecordCategory(models.Model):
    """The public catalogue (State Council guideline 2020): what may be recorded, on what basis."""

    code = models.SlugField(unique=True, max_length=60)
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200, blank=True)
    legal_basis = models.TextField(blank=True, help_text=_("Statute or regulation; empty if none."))
    lawful = models.BooleanField(help_text=_("Whether a legal basis allows recording this at all."))
    max_display_months = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("How long an entry may be shown; empty if not limited.")
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ("code",)
        verbose_name_plural = "record categories"
        constraints = [
            models.CheckConstraint(
                name="record_category_lawful_needs_basis",
                condition=Q(lawful=False) | ~Q(legal_basis=""),
            )
        ]

    def __str__(self) -> str:
        if (get_language() or "").startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en


class DataSharingLink(models.Model):
    """`source` passes records of `categories` to `recipient` (e.g. a court's list to a rail operator)."""

    source = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="outgoing_links")
    recipient = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="incoming_links")
    categories = models.ManyToManyField(
        RecordCategory, related_name="sharing_links", blank=True, help_text=_("Empty means every category.")
    )
    legal_basis = models.TextField(blank=True)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("source__name_en", "recipient__name_en")
        constraints = [
            models.UniqueConstraint(fields=["source", "recipient"], name="sharing_link_unique_pair"),
            models.CheckConstraint(name="sharing_link_not_to_self", condition=~Q(source=models.F("recipient"))),
        ]
        indexes = [models.Index(fields=["recipient", "active"])]

    def __str__(self) -> str:
        return f"{self.source.slug} -> {self.recipient.slug}"


class AgencyRole(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Agency administrator")
    RESPONDER = "responder", _("Responder")


class AgencyMembership(models.Model):
    """A user who works for an agency in the agency portal (agency_portal/): one agency per user.
    Administrators manage the agency's users and integration; responders work its cases."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership", verbose_name=_("user")
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=20, choices=AgencyRole.choices, default=AgencyRole.RESPONDER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("agency_id", "user_id")

    def __str__(self) -> str:
        return f"{self.agency.slug}: {self.user_id} ({self.role})"

    @property
    def is_administrator(self) -> bool:
        return self.role == AgencyRole.ADMINISTRATOR


class AgencyInvitation(models.Model):
    """An officer's invitation to a member of an agency's staff: a link valid for 7 days that can
    be used once (accounts.invitations). Only a hash of the token is stored."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("agency"))
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=AgencyRole.choices, default=AgencyRole.RESPONDER)
    language = models.CharField(max_length=10, default="en")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.agency.slug}: {self.email} ({self.role})"
