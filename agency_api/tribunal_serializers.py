"""Serializers of the tribunal's agency endpoints: information requests, correction orders, record
reports (agency_api.tribunal_views)."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from tribunal.models import (
    CommentParty,
    CorrectionOrder,
    InformationDocument,
    InformationRequest,
    Outcome,
    ReviewOutcome,
)

from .serializers import BinaryFileField

MAX_FILES = 10


class SubjectSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    national_id_masked = serializers.CharField()
    national_id_hash = serializers.CharField(help_text="Keyed match token of the person's ID number.")


def _subject(obj: InformationRequest | CorrectionOrder) -> dict[str, str]:
    citizen = obj.complaint.citizen
    return {
        "full_name": citizen.full_name,
        "national_id_masked": citizen.national_id_masked,
        "national_id_hash": citizen.national_id_hash,
    }


class InformationDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InformationDocument
        fields = ("id", "original_name", "content_type", "size", "sha256", "created_at")


class AnswerItemSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=2000)
    answer = serializers.CharField(max_length=20_000)


class InformationRequestSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="complaint.reference")
    record_holder: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="complaint.respondent", slug_field="slug", read_only=True
    )
    record_reference = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    questions = serializers.ListField(child=serializers.CharField())
    requested_documents = serializers.ListField(child=serializers.CharField())
    answers = AnswerItemSerializer(many=True, help_text="Your per-question answers, once answered.")
    documents = InformationDocumentSerializer(many=True, read_only=True)
    answer_url = serializers.SerializerMethodField()

    class Meta:
        model = InformationRequest
        fields = (
            "id",
            "case_reference",
            "status",
            "questions",
            "requested_documents",
            "due_at",
            "created_at",
            "record_holder",
            "record_reference",
            "subject",
            "answer_text",
            "answers",
            "answered_at",
            "documents",
            "answer_url",
        )

    def get_record_reference(self, obj: InformationRequest) -> str:
        entry = obj.complaint.blacklist_entry
        return entry.agency_record_id if entry else ""

    def get_subject(self, obj: InformationRequest) -> SubjectSerializer:
        return _subject(obj)  # type: ignore[return-value]

    def get_answer_url(self, obj: InformationRequest) -> str:
        return reverse("agency_api:information-request-answer", args=[obj.pk])


class _MultipartAnswersField(serializers.ListField):
    """`answers` in a multipart body: one part per answer, each a JSON object (how OpenAPI sends
    an array of objects in multipart, and so how generated clients send it), or a single part
    holding the whole JSON list (handy with curl: `-F 'answers=[...]'`)."""

    def to_internal_value(self, data: Any) -> Any:
        items: list[Any] = []
        for value in data if isinstance(data, list) else [data]:
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise serializers.ValidationError(
                        'Send each answer as a JSON object {"question", "answer"} (or one JSON list of them).'
                    ) from exc
            items.extend(value if isinstance(value, list) else [value])
        return super().to_internal_value(items)


_ANSWER_TEXT_HELP = "Your answer."
_ANSWERS_HELP = "Optional per-question answers."
_FILES_HELP = (
    "The requested documents (PDF or images, at most 10 MB each; the type is read from the content): "
    "one `files` file part per document."
)


class InformationAnswerJSONRequestSerializer(serializers.Serializer):
    """The answer without documents, as `application/json`. Documents need the multipart body."""

    answer_text = serializers.CharField(max_length=20_000, help_text=_ANSWER_TEXT_HELP)
    answers = AnswerItemSerializer(many=True, required=False, max_length=50, help_text=_ANSWERS_HELP)  # type: ignore[call-arg]

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and "files" in data:
            raise serializers.ValidationError(
                {"files": ["Documents can only be sent in a multipart/form-data body, one `files` file part each."]}
            )
        return super().to_internal_value(data)


class InformationAnswerMultipartRequestSerializer(serializers.Serializer):
    """The answer with its documents, as `multipart/form-data`."""

    answer_text = serializers.CharField(max_length=20_000, help_text=_ANSWER_TEXT_HELP)
    answers = _MultipartAnswersField(
        child=AnswerItemSerializer(),
        required=False,
        max_length=50,
        help_text=_ANSWERS_HELP + " One part per answer, each a JSON object (or one part with the JSON list).",
    )
    files = serializers.ListField(child=BinaryFileField(), required=False, max_length=MAX_FILES, help_text=_FILES_HELP)


class CorrectionOrderSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="complaint.reference")
    determination: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="number", read_only=True)
    received_via: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    path = serializers.ListField(child=serializers.CharField())
    actions = serializers.ListField(child=serializers.DictField())
    subject = serializers.SerializerMethodField()
    evidence_before = serializers.DictField()
    evidence_after = serializers.DictField()
    confirm_url = serializers.SerializerMethodField()

    class Meta:
        model = CorrectionOrder
        fields = (
            "id",
            "case_reference",
            "trigger",
            "determination",
            "status",
            "actions",
            "record_reference",
            "category",
            "received_via",
            "path",
            "subject",
            "ordered_at",
            "due_at",
            "confirmed_at",
            "evidence_before",
            "evidence_after",
            "confirmation_note",
            "waived_at",
            "waiver_reason",
            "confirm_url",
        )

    def get_subject(self, obj: CorrectionOrder) -> SubjectSerializer:
        return _subject(obj)  # type: ignore[return-value]

    def get_confirm_url(self, obj: CorrectionOrder) -> str:
        return reverse("agency_api:correction-confirm", args=[obj.pk])


class CriterionSerializer(serializers.Serializer):
    factor = serializers.CharField(max_length=2000)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    direction_or_weight = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    data_source = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CorrectionConfirmRequestSerializer(serializers.Serializer):
    evidence_before = serializers.DictField(help_text="The record as it was before you acted (a JSON object).")
    evidence_after = serializers.DictField(
        help_text='The record as it is now. For a deletion: {"status": "deleted"}; for a corrected field, '
        "the field with its new value; for a lifted sanction, `sanctions` without it."
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    scoring_criteria = CriterionSerializer(
        many=True, required=False, help_text="Required when the order includes `disclose_criteria`."
    )


class RecordReportSerializer(serializers.Serializer):
    citizen_match_token = serializers.RegexField(
        r"^[0-9a-f]{64}$", help_text="The person's keyed match token (as in referrals' `national_id_hash`)."
    )
    agency_record_id = serializers.CharField(max_length=100)
    category = serializers.SlugField(required=False, help_text="Catalogue code of the record category.")
    list_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RecordReportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency_record_id = serializers.CharField()
    reported_at = serializers.DateTimeField()
    matched = serializers.BooleanField(help_text="Whether it matched a record the ombudsman ordered deleted.")


# --- the provisional decision and the review of a final decision ------------------------------


class ProvisionalCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    party = serializers.ChoiceField(choices=CommentParty.choices)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProvisionalDecisionSerializer(serializers.Serializer):
    """What the ombudsman shared for comment (what was shared, not the draft as it is now)."""

    determination_id = serializers.IntegerField(source="determination.pk")
    reference = serializers.CharField(source="determination.complaint.reference")
    outcome = serializers.ChoiceField(choices=Outcome.choices, source="determination.provisional_text.outcome")
    findings = serializers.CharField()
    reasons = serializers.CharField()
    remedies = serializers.ListField(child=serializers.DictField())
    shared_at = serializers.DateTimeField(source="determination.provisional_shared_at")
    comments_due_at = serializers.DateTimeField(source="due_at", allow_null=True)
    can_comment = serializers.BooleanField()
    comments = ProvisionalCommentSerializer(many=True)


class ProvisionalCommentRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=10_000, help_text="Your comments on the provisional decision.")


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    determination_number = serializers.CharField(source="determination.number")
    requested_by = serializers.ChoiceField(choices=CommentParty.choices, source="party")
    reasons = serializers.CharField()
    requested_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices, allow_null=True)
    decision_reasons = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["outcome"] = data["outcome"] or None
        return data


class ReviewRequestSerializer(serializers.Serializer):
    reasons = serializers.CharField(
        max_length=10_000, help_text="What the decision got wrong: a fact, the law, or something not considered."
    )
