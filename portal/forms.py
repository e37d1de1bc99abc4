"""Forms of the portal. They check shape and give plain-language errors; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Agency
from citizens import national_id
from citizens.models import Citizen, RecordStatus, RepresentativeKind
from citizens.services import citizen_record_for_new_account
from complaints.models import Category, UrgencyReason
from complaints.remedies import Remedy
from kernel.uploads import MAX_BYTES

EVIDENCE_ACCEPT = "application/pdf,image/jpeg,image/png,image/webp,image/heic"


def _check_national_id(value: str) -> str:
    try:
        return national_id.normalize(value)
    except ValidationError:
        raise ValidationError(_("Enter the ID number as 6 to 24 letters and digits."), code="invalid_national_id")


class NationalIdField(forms.CharField):
    """Never re-rendered with its value: the number is not echoed back to the page."""

    widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "inputmode": "text"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return _check_national_id(value) if value else value


class SignUpExtraForm(forms.Form):
    """What a citizen adds to allauth's sign-up form (email and password): name and ID number.
    allauth calls `signup` once the account exists; the citizen record comes from the service."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    national_id = NationalIdField(
        label=_("National ID number"),
        max_length=40,
        help_text=_("We keep it encrypted and only ever show it masked, like 11**********34."),
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        language = get_language() or "en"
        user.full_name = self.cleaned_data["full_name"].strip()
        user.preferred_language = language if language in ("en", "zh-hans") else "en"
        user.save(update_fields=["full_name", "preferred_language"])
        citizen_record_for_new_account(
            user=user,
            full_name=user.full_name,
            national_id_number=self.cleaned_data["national_id"],
            now=timezone.now(),
            language=user.preferred_language,
        )


class ClaimForm(forms.Form):
    code = forms.CharField(
        label=_("Claim code"),
        max_length=20,
        help_text=_("The 12 letters and digits an officer gave you, for example ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )


class RepresentedPersonForm(forms.Form):
    full_name = forms.CharField(label=_("Their full name"), max_length=200)
    national_id = NationalIdField(label=_("Their national ID number"), max_length=40)
    date_of_birth = forms.DateField(
        label=_("Their date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed for a child: complaints about minors are treated with priority."),
    )
    kind = forms.ChoiceField(label=_("You are their"), choices=RepresentativeKind.choices)
    proof = forms.FileField(
        label=_("Proof that you may act for them"),
        help_text=_(
            "For a child: the birth certificate or the household register page. Otherwise: an authority "
            "they signed, or a lawyer's power of attorney. PDF or image, up to 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


RECORD_OTHER = "other"


# Records that no longer stand against the citizen: shown with their status, not offered to dispute.
FINISHED_RECORD_STATUSES = (RecordStatus.CORRECTED, RecordStatus.DELETED, RecordStatus.EXPIRED)


class RecordStepForm(forms.Form):
    """Screen 1: for whom, which agency, which record."""

    citizen = forms.ModelChoiceField(
        label=_("Who is the complaint for?"), queryset=Citizen.objects.none(), empty_label=None
    )
    respondent = forms.ModelChoiceField(
        label=_("Which agency holds the record?"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    record = forms.CharField(label=_("Which record is wrong?"), required=False)
    other_record_description = forms.CharField(
        label=_("Describe the record"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If it is not listed: the list or score, any record number, and when you found out."),
    )

    def __init__(self, *args: Any, citizens: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["citizen"].queryset = citizens  # type: ignore[attr-defined]
        self.fields["respondent"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        record = (data.get("record") or "").strip()
        citizen, agency = data.get("citizen"), data.get("respondent")
        if not record:
            self.add_error("record", _("Choose the record, or choose 'Another record' and describe it."))
            return data
        if record == RECORD_OTHER:
            if not (data.get("other_record_description") or "").strip():
                self.add_error("other_record_description", _("Describe the record you want corrected."))
            return data
        kind, _sep, pk = record.partition(":")
        if kind not in ("b", "s") or not pk.isdigit():
            self.add_error("record", _("Choose one of the records listed."))
            return data
        if citizen is None or agency is None:
            return data
        holder = citizen.blacklist_entries if kind == "b" else citizen.score_records
        obj = holder.filter(pk=int(pk)).first()
        if obj is None:
            self.add_error("record", _("Choose one of the records listed."))
        elif obj.agency_id != agency.pk:
            self.add_error("record", _("That record is held by another agency: choose that agency or another record."))
        elif kind == "b" and obj.status in FINISHED_RECORD_STATUSES:
            self.add_error(
                "record",
                _("That record is already %(status)s: it no longer stands against you.")
                % {"status": obj.get_status_display().lower()},
            )
        return data


class DetailsStepForm(forms.Form):
    """Screen 2: what is wrong, what they want, urgency, evidence."""

    category = forms.ChoiceField(label=_("What is wrong?"), choices=Category.choices, widget=forms.RadioSelect)
    statement = forms.CharField(
        label=_("Tell us in your own words"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, how it affects you, and anything you have already tried."),
    )
    remedies_sought = forms.MultipleChoiceField(
        label=_("What do you want the agency to do?"), choices=Remedy.choices, widget=forms.CheckboxSelectMultiple
    )
    remedy_detail = forms.CharField(
        label=_("Anything else you want (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    urgent = forms.BooleanField(label=_("This is urgent"), required=False)
    urgency_reason = forms.ChoiceField(
        label=_("Why is it urgent?"), required=False, choices=[("", _("Not urgent")), *UrgencyReason.choices]
    )
    urgency_detail = forms.CharField(
        label=_("When is the travel, enrolment or job? (optional)"), required=False, max_length=1000
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _("A PDF or a photo (JPEG, PNG, WebP, HEIC), up to %(mb)s MB each.") % {
            "mb": MAX_BYTES // (1024 * 1024)
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("urgent") and not data.get("urgency_reason"):
            self.add_error("urgency_reason", _("Say why it is urgent."))
        if data.get("urgency_reason") and not data.get("urgent"):
            data["urgent"] = True
        return data


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Your message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Add evidence"),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A PDF or a photo (JPEG, PNG, WebP, HEIC), up to %(mb)s MB.") % {
            "mb": MAX_BYTES // (1024 * 1024)
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
