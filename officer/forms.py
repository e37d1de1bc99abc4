"""Forms of the officer pages (casework, queues, assisted filing). They check shape and give
plain-language errors; the services decide. Forms a citizen's page shares (reasons, evidence,
messages, the ID number field) come from portal.forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Agency
from complaints.models import Channel
from kernel.visibility import Visibility
from portal.forms import MessageForm, NationalIdField


class AssistedCitizenForm(forms.Form):
    """An officer filing for someone on the phone or at the desk."""

    channel = forms.ChoiceField(
        label=_("How did they contact us?"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.WALK_IN, Channel.WALK_IN.label)],
    )
    national_id = NationalIdField(
        label=_("Their national ID number"), max_length=40, help_text=_("Used to find their existing record.")
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, required=False, help_text=_("Needed only if they are new to us.")
    )
    email = forms.EmailField(label=_("Email address (for updates)"), required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=40, required=False)


class OfficerMessageForm(MessageForm):
    visibility = forms.ChoiceField(
        label=_("Who can read it?"),
        choices=[
            (Visibility.INTERNAL, _("Internal note (staff only)")),
            (Visibility.CITIZEN, _("Staff and citizen")),
            (Visibility.PARTIES, _("Staff, citizen and agency")),
            (Visibility.AGENCY, _("Staff and agency")),
        ],
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferForm(forms.Form):
    respondent = forms.ModelChoiceField(
        label=_("Refer to"),
        queryset=Agency.objects.filter(active=True),
        required=False,
        empty_label=_("The agency named in the complaint"),
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClockPauseForm(forms.Form):
    reason = forms.CharField(
        label=_("What is the ombudsman waiting for?"),
        max_length=2000,
        help_text=_("The clock stops while we wait on the citizen; its due time moves later by the pause."),
    )


class InvestigationForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    agency_in_default = forms.BooleanField(label=_("The agency missed its deadline (in default)"), required=False)


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Nobody (unassigned)")
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False, empty_label=_("All agencies")
    )
    officer = forms.CharField(label=_("Officer"), required=False)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
