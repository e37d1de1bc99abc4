"""Officer forms for the investigation page. They only parse input; the services validate and act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from citizens.models import Sanction
from complaints.remedies import ORDER_CHOICES, Remedy
from tribunal.models import Outcome, ReviewOutcome


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class InformationRequestForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name_en"),
        label=_("Agency"),
        help_text=_("Any agency: the respondent, a recipient of the record, or another body."),
    )
    questions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One question per line."))
    requested_documents = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=_("One document per line.")
    )

    def cleaned(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "agency": d["agency"],
            "questions": _lines(d["questions"]),
            "requested_documents": _lines(d.get("requested_documents", "")),
        }


class RemedyFieldsForm(forms.Form):
    """The remedies a decision orders, as checkboxes with their details (a determination, or a
    review that varies one)."""

    remedies = forms.MultipleChoiceField(
        choices=ORDER_CHOICES, widget=forms.CheckboxSelectMultiple, required=False, label=_("Remedies")
    )
    correct_field = forms.SlugField(required=False, label=_("Field to correct"), help_text=_("e.g. reason"))
    correct_value = forms.CharField(required=False, label=_("Corrected value"))
    sanction = forms.ChoiceField(choices=[("", "—"), *Sanction.choices], required=False, label=_("Sanction to lift"))
    compensation_amount = forms.DecimalField(
        required=False, min_value=0, decimal_places=2, max_digits=12, label=_("Compensation amount")
    )
    compensation_currency = forms.CharField(
        required=False, initial="CNY", max_length=3, label=_("Compensation currency")
    )

    def remedies_list(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out: list[dict[str, Any]] = []
        for kind in d.get("remedies", []):
            item: dict[str, Any] = {"kind": kind}
            if kind == Remedy.CORRECT:
                item.update(field=d.get("correct_field") or "", new_value=d.get("correct_value") or "")
            elif kind == Remedy.LIFT_SANCTION:
                item["sanction"] = d.get("sanction") or ""
            elif kind == Remedy.COMPENSATION:
                amount = d.get("compensation_amount")
                item.update(
                    amount=str(amount) if amount is not None else "", currency=d.get("compensation_currency") or "CNY"
                )
            out.append(item)
        return out

    @staticmethod
    def remedy_initial(remedies: list[dict[str, Any]]) -> dict[str, Any]:
        initial: dict[str, Any] = {"remedies": [r["kind"] for r in remedies], "compensation_currency": "CNY"}
        for r in remedies:
            if r["kind"] == Remedy.CORRECT:
                initial.update(correct_field=r["field"], correct_value=r["new_value"])
            elif r["kind"] == Remedy.LIFT_SANCTION:
                initial["sanction"] = r["sanction"]
            elif r["kind"] == Remedy.COMPENSATION:
                initial.update(compensation_amount=r["amount"], compensation_currency=r["currency"])
        return initial


class DeterminationForm(RemedyFieldsForm):
    field_order = [
        "outcome",
        "findings",
        "reasons",
        "remedies",
        "correct_field",
        "correct_value",
        "sanction",
        "compensation_amount",
        "compensation_currency",
        "public_summary",
        "comments_considered",
    ]
    outcome = forms.ChoiceField(choices=Outcome.choices, label=_("Outcome"))
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Findings"))
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Reasons"))
    public_summary = forms.CharField(
        label=_("Public summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published in the register. No names, ID numbers, phone numbers or record references."),
    )
    comments_considered = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("How the parties' comments were considered"),
        help_text=_(
            "After a provisional decision: what the citizen and the agency said and what the final decision makes "
            "of it. Required before signing when anyone commented; the parties read it in the final decision."
        ),
    )

    @classmethod
    def initial_from(cls, det: Any) -> dict[str, Any]:
        if det is None:
            return {"compensation_currency": "CNY"}
        return {
            "outcome": det.outcome,
            "findings": det.findings,
            "reasons": det.reasons,
            "public_summary": det.public_summary,
            "comments_considered": det.comments_considered,
            **cls.remedy_initial(det.remedies),
        }


class ReviewDecisionForm(RemedyFieldsForm):
    """A senior officer's decision on a review; the remedies count only when the decision is varied."""

    field_order = ["review_outcome", "review_reasons", "remedies"]
    review_outcome = forms.ChoiceField(choices=ReviewOutcome.choices, label=_("Outcome of the review"))
    review_reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Reasons"),
        help_text=_("The parties read these. For a varied decision, tick below what is now ordered."),
    )


class WaiveForm(forms.Form):
    order_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason for waiving"))


class CancelRequestForm(forms.Form):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for cancelling"))
