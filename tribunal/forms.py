"""The one form a party fills in on a tribunal step from either portal (the citizen's and the
agency's): a comment on a provisional decision. It only parses input; the service validates and acts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services._shared import MAX_TEXT


class ProvisionalCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comments on the provisional decision"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what you think is wrong or missing. To send a document, add it as evidence on this page."),
    )


class ReviewRequestForm(forms.Form):
    reasons = forms.CharField(
        label=_("Why the decision should be reviewed"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Say what the decision got wrong: a fact, the law, or something that was not considered. A senior "
            "officer who took no part in the case decides. A review can be asked for once."
        ),
    )
