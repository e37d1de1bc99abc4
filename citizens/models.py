from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, RecordCategory

from . import national_id


class Language(models.TextChoices):
    EN = "en", "English"
    ZH = "zh-hans", "简体中文"


class RepresentativeKind(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian")
    LAWYER = "lawyer", _("Lawyer")
    OTHER = "other", _("Other representative")


class Citizen(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="citizen"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    # Never the plain number: Fernet ciphertext, an HMAC match token and a masked form.
    national_id_ciphertext = models.TextField(editable=False)
    national_id_hash = models.CharField(max_length=64, unique=True, editable=False)
    national_id_masked = models.CharField(max_length=30, editable=False)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=10, choices=Language.choices, default=Language.EN)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("A parent whose record may have been extended to this person."),
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="represented"
    )
    representative_kind = models.CharField(max_length=20, choices=RepresentativeKind.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("full_name",)
        # An officer may search by the masked number shown on the case page.
        indexes = [models.Index(fields=["national_id_masked"], name="citizen_id_masked")]
        constraints = [
            models.CheckConstraint(name="citizen_not_own_parent", condition=~Q(parent=models.F("id"))),
            models.CheckConstraint(
                name="citizen_representative_has_kind",
                condition=Q(representative__isnull=True) | ~Q(representative_kind=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.national_id_masked})"

    def set_national_id(self, raw: str) -> None:
        protected = national_id.protect(raw)
        self.national_id_ciphertext = protected.ciphertext
        self.national_id_hash = protected.hash
        self.national_id_masked = protected.masked

    def reveal_national_id(self) -> str:
        return national_id.reveal(self.national_id_ciphertext)

    def is_minor(self, today: date) -> bool:
        if self.date_of_birth is None:
            return False
        dob = self.date_of_birth
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        return age < 18

    def can_be_acted_for_by(self, user: object) -> bool:
        """The citizen themself, or their registered representative."""
        uid = getattr(user, "pk", None)
        return uid is not None and uid in (self.user_id, self.representative_id)


class Sanction(models.TextChoices):
    AIR_TRAVEL = "air_travel", _("No air travel")
    RAIL_TRAVEL = "rail_travel", _("No high-speed rail travel")
    HOTELS = "hotels", _("No luxury hotels")
    SCHOOLS = "schools", _("Children barred from private schools")
    CREDIT_CARDS = "credit_cards", _("No credit cards or loans")
    EMPLOYMENT = "employment", _("Barred from public-sector or management jobs")
    INTERNET_SPEED = "internet_speed", _("Slower internet")
    PUBLIC_SHAMING = "public_shaming", _("Name published")


# Sanctions that make a complaint urgent when they block something imminent.
URGENT_SANCTIONS = frozenset({Sanction.AIR_TRAVEL, Sanction.RAIL_TRAVEL, Sanction.SCHOOLS, Sanction.EMPLOYMENT})


def validate_sanctions(value: object) -> None:
    if not isinstance(value, list) or any(v not in Sanction.values for v in value) or len(set(value)) != len(value):
        raise ValidationError(
            "Sanctions must be a list of distinct codes from: %(codes)s", params={"codes": ", ".join(Sanction.values)}
        )


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISPUTED = "disputed", _("Marked as disputed")
    CORRECTED = "corrected", _("Corrected")
    DELETED = "deleted", _("Deleted")
    EXPIRED = "expired", _("Expired")


class BlacklistEntry(models.Model):
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="blacklist_entries")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="blacklist_entries")
    agency_record_id = models.CharField(_("the record's id at the agency"), max_length=100)
    list_name = models.CharField(max_length=200)
    category = models.ForeignKey(RecordCategory, on_delete=models.PROTECT, related_name="entries")
    reason = models.TextField()
    legal_basis = models.CharField(_("legal basis or case number"), max_length=300, blank=True)
    listed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    sanctions = models.JSONField(default=list, blank=True, validators=[validate_sanctions])
    derived_from_relative = models.BooleanField(default=False)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_entries",
        help_text=_("The relative's entry this one was extended from."),
    )
    status = models.CharField(max_length=20, choices=RecordStatus.choices, default=RecordStatus.ACTIVE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-listed_on",)
        verbose_name_plural = "blacklist entries"
        constraints = [
            models.UniqueConstraint(fields=["agency", "agency_record_id"], name="blacklist_entry_unique_agency_id"),
            models.CheckConstraint(
                name="blacklist_entry_expiry_after_listing",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("listed_on")),
            ),
            models.CheckConstraint(
                name="blacklist_entry_derived_flag",
                condition=Q(derived_from__isnull=True) | Q(derived_from_relative=True),
            ),
        ]
        indexes = [models.Index(fields=["citizen", "agency"])]

    def __str__(self) -> str:
        return f"{self.list_name} #{self.agency_record_id}"


class CreditScoreRecord(models.Model):
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="score_records")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="score_records")
    agency_record_id = models.CharField(max_length=100, blank=True)
    score = models.IntegerField()
    as_of = models.DateField()
    factors = models.JSONField(default=list, blank=True, help_text=_("[{factor, effect, detail}]"))
    automated = models.BooleanField(default=True, help_text=_("Computed by an algorithm without human review."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-as_of",)
        constraints = [
            models.UniqueConstraint(fields=["citizen", "agency", "as_of"], name="score_record_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.slug} {self.score} ({self.as_of})"

    def clean(self) -> None:
        agency = self.agency
        if not agency.has_score_scale:
            raise ValidationError({"agency": "This agency keeps lists, not scores."})
        assert agency.score_min is not None and agency.score_max is not None
        if not agency.score_min <= self.score <= agency.score_max:
            raise ValidationError({"score": f"Score must be within {agency.score_min}-{agency.score_max}."})


class RepresentationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an officer")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")
    ENDED = "ended", _("Ended")
    EXPIRED = "expired", _("Expired")


def representation_proof_path(instance: RepresentationRequest, filename: str) -> str:
    # Never the uploaded name: a random name with the sniffed extension.
    return f"representation/{instance.stored_name}"


class RepresentationRequest(models.Model):
    """A user's request to act for a person (a parent for a child, a lawyer for a client), with the
    proof of authority. Only once an officer verifies it does the person's record name the user as
    representative (`Citizen.representative`, which is what gives access); it ends when the person
    or an officer ends it, or when it expires (citizens.services)."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="representation_requests")
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representation_requests"
    )
    kind = models.CharField(max_length=20, choices=RepresentativeKind.choices)
    stated_name = models.CharField(max_length=200)
    stated_date_of_birth = models.DateField(null=True, blank=True)
    proof = models.FileField(upload_to=representation_proof_path, max_length=300)
    stored_name = models.CharField(max_length=80, unique=True)
    proof_name = models.CharField(max_length=200)
    proof_content_type = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=RepresentationStatus.choices, default=RepresentationStatus.PENDING)
    refusal_reason = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("citizen", "representative"),
                condition=Q(status="pending"),
                name="one_pending_representation_request",
            )
        ]
        indexes = [models.Index(fields=("status", "expires_at"), name="representation_status_expiry")]

    def __str__(self) -> str:
        return f"{self.representative_id} for {self.citizen_id} ({self.status})"


class ClaimCode(models.Model):
    """A one-time code an officer gives a person out of band (a printed letter, read by phone) so
    that their own account takes over a record made without one (phone or walk-in filing, a
    minor come of age). Only its keyed hash is stored; it works once, for 14 days
    (complaints.services.identity)."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="claim_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"claim code for {self.citizen_id} (until {self.expires_at:%Y-%m-%d})"


class IdentityMatch(models.Model):
    """A new account whose sign-up ID number matched an existing record: the account was NOT
    linked (citizens.services.citizen_record_for_new_account); officers see it as a task, check
    who the person is by other means and give them a claim code."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_matches")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="identity_matches")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("resolved_at", "created_at"), name="identity_match_open")]

    def __str__(self) -> str:
        return f"account {self.user_id} matches record {self.citizen_id}"


class AccessKind(models.TextChoices):
    CASE = "case", _("opened the case")
    LISTED = "listed", _("saw the case in a list")
    FILE = "file", _("downloaded a file")
    PERSONAL_DATA = "personal_data", _("read your personal details")
    ID_MATCH = "id_match", _("matched your ID number")


class AccessLogEntry(models.Model):
    """One read of a person's data by ombudsman staff or an agency: who, when, what, why (the
    page or endpoint). Append-only: written by citizens.services.access_log_record (one INSERT
    per page, list pages included), never changed; citizens read it as "Who viewed my file"."""

    at = models.DateTimeField()
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+", db_index=False)
    complaint_id = models.BigIntegerField(null=True, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True, help_text="e.g. the file downloaded")
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    reader_kind = models.CharField(max_length=20)  # kernel.actors.ActorKind
    reader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reader_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    why = models.CharField(max_length=100, help_text="The page or API endpoint (URL name).")

    class Meta:
        ordering = ("-at", "-id")
        indexes = [
            models.Index(fields=("citizen", "at"), name="access_log_citizen"),
            models.Index(fields=("complaint_id", "at"), name="access_log_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader_kind} {self.kind} {self.citizen_id}/{self.complaint_id}"
