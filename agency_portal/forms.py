"""Forms of the agency portal. Each carries what the API's request body carries, and each
refusal names the field, in the reader's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from complaints.models import AgencyOutcome
from kernel.uploads import MAX_BYTES

ACCEPT = "application/pdf,image/jpeg,image/png,image/webp,image/heic"
MAX_TEXT = 10_000
MAX_ROWS = 50


class WorkFilterForm(forms.Form):
    q = forms.CharField(label=_("Case reference or your record id"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind of work"),
        required=False,
        choices=[
            ("", _("All")),
            ("referral", _("Referrals")),
            ("information_request", _("Information requests")),
            ("correction_order", _("Correction orders")),
        ],
    )
    state = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("All")),
            ("due_today", _("Due today")),
            ("overdue", _("Overdue")),
            ("escalated", _("Escalated")),
        ],
    )
    urgent = forms.BooleanField(label=_("Urgent cases only"), required=False)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AgencyOutcome.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you checked and what you found."),
    )


class CorrectionRowForm(forms.Form):
    field = forms.CharField(label=_("Field of the record"), max_length=200, required=False)
    old_value = forms.CharField(label=_("Old value"), max_length=2000, required=False)
    new_value = forms.CharField(label=_("New value"), max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("old_value") or data.get("new_value")) and not data.get("field"):
            self.add_error("field", _("Name the field of the record that changed."))
        return data


class CriterionRowForm(forms.Form):
    factor = forms.CharField(label=_("Factor"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False)
    direction_or_weight = forms.CharField(label=_("Direction or weight"), max_length=200, required=False)
    data_source = forms.CharField(label=_("Data source"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.values()):
            for name in ("factor", "description", "direction_or_weight", "data_source"):
                if not data.get(name):
                    self.add_error(name, _("Fill in every column of a criterion, or leave the row empty."))
        return data


CorrectionFormSet = formset_factory(CorrectionRowForm, extra=2, max_num=MAX_ROWS, validate_max=True)
CriterionFormSet = formset_factory(CriterionRowForm, extra=1, max_num=MAX_ROWS, validate_max=True)


def filled_rows(formset: Any) -> list[dict[str, str]]:
    return [dict(f.cleaned_data) for f in formset.forms if f.cleaned_data and any(f.cleaned_data.values())]


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    visibility = forms.ChoiceField(
        label=_("Who reads it"),
        choices=[("parties", _("The ombudsman and the citizen")), ("agency", _("The ombudsman only"))],
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Add evidence"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A PDF or a photo (JPEG, PNG, WebP, HEIC), up to %(mb)s MB.") % {
            "mb": MAX_BYTES // (1024 * 1024)
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class InformationAnswerForm(forms.Form):
    answer_text = forms.CharField(label=_("Your answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
    documents = MultipleFileField(label=_("Documents"), required=False)


class EvidenceRowForm(forms.Form):
    field = forms.CharField(label=_("Field of the record"), max_length=200, required=False)
    before = forms.CharField(label=_("Before"), max_length=2000, required=False)
    after = forms.CharField(label=_("After"), max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("before") or data.get("after")) and not data.get("field"):
            self.add_error("field", _("Name the field of the record."))
        return data


EvidenceRowFormSet = formset_factory(EvidenceRowForm, extra=1, max_num=MAX_ROWS, validate_max=True)


class ConfirmOrderForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


def evidence_dicts(rows: list[dict[str, str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rows field / before / after as the two JSON objects the service checks. `sanctions` is a
    comma-separated list (the sanctions that remain)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for row in rows:
        name = row["field"].strip()
        for target, value in ((before, row.get("before", "")), (after, row.get("after", ""))):
            if name == "sanctions":
                target[name] = [s.strip() for s in value.split(",") if s.strip()]
            elif value != "":
                target[name] = value
    return before, after


def prefilled_rows(actions: list[dict[str, Any]], record: object = None) -> list[dict[str, str]]:
    """The order's changes as evidence rows to complete (`before` from the record as the
    ombudsman holds it, when it has that field)."""
    rows = []
    for action in actions:
        kind = action.get("kind")
        if kind == "correct":
            before = getattr(record, action["field"], "") if record is not None else ""
            after = action.get("new_value")
            rows.append(
                {"field": action["field"], "before": str(before or ""), "after": "" if after is None else str(after)}
            )
        elif kind == "delete":
            rows.append({"field": "status", "before": "listed", "after": "deleted"})
        elif kind == "lift_sanction":
            rows.append({"field": "sanctions", "before": action["sanction"], "after": ""})
        elif kind == "annotate":
            rows.append({"field": "annotation", "before": "", "after": ""})
    return rows
