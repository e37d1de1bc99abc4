"""The agency API contract. Agencies get what they need to match the record, never the full ID
number: the name, the record's own id at the agency, the masked ID and the keyed match token."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from citizens.models import RepresentativeKind
from clocks.models import ClockStatus, Obligation
from complaints.models import STATUS_CHOICES, AgencyOutcome, Attachment, Category, Complaint
from complaints.transitions import Status
from outbox.models import OutboxMessage, OutboxStatus

from .models import WebhookEndpoint

MAX_ITEMS = 200
MAX_TEXT = 10_000


class CitizenSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    national_id_masked = serializers.CharField(help_text="The ID number with all but a few characters masked.")
    national_id_hash = serializers.CharField(
        help_text="Keyed match token: HMAC-SHA256 of the normalised ID number under the key shared with your agency."
    )


class DisputedRecordSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["blacklist_entry", "score_record", "other"])
    agency_record_id = serializers.CharField(help_text="The record's own id at your agency ('' if not known).")
    list_name = serializers.CharField(required=False)
    category = serializers.CharField(required=False, help_text="Catalogue code of the record category.")
    reason = serializers.CharField(required=False)
    listed_on = serializers.DateField(required=False)
    expires_on = serializers.DateField(required=False, allow_null=True)
    sanctions = serializers.ListField(child=serializers.CharField(), required=False)
    status = serializers.CharField(required=False, help_text="active, disputed, corrected, deleted, expired.")
    score = serializers.IntegerField(required=False)
    as_of = serializers.DateField(required=False)
    description = serializers.CharField(required=False, help_text="The citizen's description when no record matched.")


def disputed_record(complaint: Complaint) -> dict[str, Any]:
    entry, score = complaint.blacklist_entry, complaint.score_record
    if entry is not None:
        return {
            "type": "blacklist_entry",
            "agency_record_id": entry.agency_record_id,
            "list_name": entry.list_name,
            "category": entry.category.code,
            "reason": entry.reason,
            "listed_on": entry.listed_on,
            "expires_on": entry.expires_on,
            "sanctions": entry.sanctions,
            "status": entry.status,
        }
    if score is not None:
        return {
            "type": "score_record",
            "agency_record_id": score.agency_record_id,
            "score": score.score,
            "as_of": score.as_of,
        }
    return {"type": "other", "agency_record_id": "", "description": complaint.other_record_description}


class ClockSerializer(serializers.Serializer):
    obligation = serializers.ChoiceField(choices=Obligation.choices, help_text="What the clock is for.")
    status = serializers.ChoiceField(choices=ClockStatus.choices)
    rule = serializers.CharField(help_text="The legal rule the clock runs on.")
    rule_title = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    explanation = serializers.CharField(help_text="How the due time was computed.")
    met_at = serializers.DateTimeField(allow_null=True)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="message, refer, agency_acknowledged, ... (timeline event kind)")
    author = serializers.CharField(source="actor_label")
    author_kind = serializers.CharField(source="actor_kind", help_text="citizen, officer, agency, system ...")
    text = serializers.CharField(source="message")


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    uploaded_by = serializers.CharField(source="uploaded_by_kind")
    download_url = serializers.SerializerMethodField(help_text="Authorised download (send your bearer token).")

    class Meta:
        model = Attachment
        fields = ("id", "name", "content_type", "size", "sha256", "uploaded_by", "created_at", "download_url")

    def get_download_url(self, obj: Attachment) -> str:
        path = reverse(
            "agency_api:attachment-download",
            kwargs={"reference": obj.complaint.reference, "attachment_id": obj.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ReferralListSerializer(serializers.ModelSerializer):
    citizen = CitizenSerializer()
    agency_record_id = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields: tuple[str, ...] = (
            "reference",
            "url",
            "status",
            "category",
            "urgent",
            "urgency_reason",
            "agency_record_id",
            "citizen",
            "submitted_at",
            "updated_at",
        )

    def get_agency_record_id(self, obj: Complaint) -> str:
        record = obj.blacklist_entry or obj.score_record
        return record.agency_record_id if record is not None else ""

    def get_url(self, obj: Complaint) -> str:
        # The list base URL once per response, not a reverse() per row.
        base = self.context.get("_referrals_base")
        if base is None:
            path = reverse("agency_api:referral-list")
            request = self.context.get("request")
            base = request.build_absolute_uri(path) if request is not None else path
            if isinstance(self.context, dict):
                self.context["_referrals_base"] = base
        return f"{base}{obj.reference}/"


class RecordedCorrectionSerializer(serializers.Serializer):
    field = serializers.CharField()
    old_value = serializers.CharField(allow_blank=True)
    new_value = serializers.CharField(allow_blank=True)


class RecordedCriterionSerializer(serializers.Serializer):
    factor = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    direction_or_weight = serializers.CharField(allow_blank=True)
    data_source = serializers.CharField(allow_blank=True)


class AgencyResponseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AgencyOutcome.choices)
    explanation = serializers.CharField()
    corrections = RecordedCorrectionSerializer(many=True)
    scoring_criteria = RecordedCriterionSerializer(many=True)
    responded_at = serializers.DateTimeField()


class RepresentationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The complaint was filed by someone acting for the person (a parent, a guardian, a lawyer),
    whose proof of authority an ombudsman officer verified."""

    kind = serializers.ChoiceField(choices=RepresentativeKind.choices)
    verified = serializers.BooleanField(help_text="Always true: unverified representatives cannot file.")


class ReferralDetailSerializer(ReferralListSerializer):
    representation = serializers.SerializerMethodField()
    disputed_record = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField()

    class Meta(ReferralListSerializer.Meta):
        fields = (
            *ReferralListSerializer.Meta.fields,
            "representation",
            "disputed_record",
            "statement",
            "remedies_sought",
            "remedy_detail",
            "urgency_detail",
            "evidence",
            "clocks",
            "messages",
            "responses",
        )

    @extend_schema_field(RepresentationSerializer(allow_null=True))
    def get_representation(self, obj: Complaint) -> dict[str, Any] | None:
        citizen = obj.citizen
        if citizen.representative_id is None or obj.filed_by_id != citizen.representative_id:
            return None
        return {"kind": citizen.representative_kind, "verified": True}

    @extend_schema_field(DisputedRecordSerializer)
    def get_disputed_record(self, obj: Complaint) -> dict[str, Any]:
        return DisputedRecordSerializer(disputed_record(obj)).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_evidence(self, obj: Complaint) -> Any:
        return AttachmentSerializer(self.context["evidence"], many=True, context=self.context).data

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, obj: Complaint) -> Any:
        return ClockSerializer(self.context["clocks"], many=True).data

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, obj: Complaint) -> Any:
        return MessageSerializer(self.context["messages"], many=True).data

    @extend_schema_field(AgencyResponseSerializer(many=True))
    def get_responses(self, obj: Complaint) -> Any:
        return AgencyResponseSerializer(self.context["responses"], many=True).data


# --- requests ---------------------------------------------------------------------------------


class CorrectionSerializer(serializers.Serializer):
    field = serializers.CharField(max_length=200, help_text="The field of the record that changed.")
    old_value = serializers.CharField(max_length=2000, allow_blank=True)
    new_value = serializers.CharField(max_length=2000, allow_blank=True)


class ScoringCriterionSerializer(serializers.Serializer):
    factor = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000)
    direction_or_weight = serializers.CharField(
        max_length=200, help_text="e.g. 'lowers the score', '+15 points', '20% weight'."
    )
    data_source = serializers.CharField(max_length=300, help_text="Where the factor's data comes from.")


class ResponseRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AgencyOutcome.choices)
    explanation = serializers.CharField(max_length=MAX_TEXT, help_text="Required: what you checked and found.")
    corrections = CorrectionSerializer(
        many=True,  # type: ignore[call-arg]
        required=False,
        max_length=MAX_ITEMS,
        help_text="Required (at least one) for `corrected` and `partially_corrected`; not allowed with any other "
        "outcome (a 400).",
    )
    scoring_criteria = ScoringCriterionSerializer(
        many=True,  # type: ignore[call-arg]
        required=False,
        max_length=MAX_ITEMS,
        help_text="Required (at least one) when the complaint asks for disclosure of the scoring criteria.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        complaint: Complaint = self.context["complaint"]
        errors: dict[str, list[str]] = {}
        if attrs["outcome"] in (AgencyOutcome.CORRECTED, AgencyOutcome.PARTIALLY_CORRECTED) and not attrs.get(
            "corrections"
        ):
            errors["corrections"] = ["List each change as {field, old_value, new_value} for a correction."]
        elif attrs.get("corrections") and attrs["outcome"] not in (
            AgencyOutcome.CORRECTED,
            AgencyOutcome.PARTIALLY_CORRECTED,
        ):
            errors["corrections"] = [
                f"Corrections belong to a `corrected` or `partially_corrected` answer, not `{attrs['outcome']}`: "
                "remove them, or choose the outcome that says the record changed."
            ]
        if complaint.category == Category.UNDISCLOSED_CRITERIA and not attrs.get("scoring_criteria"):
            errors["scoring_criteria"] = [
                "This complaint asks for the scoring criteria: list each as "
                "{factor, description, direction_or_weight, data_source}."
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class StepResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUS_CHOICES, help_text="The case status after the step.")
    event = MessageSerializer()
    clocks = ClockSerializer(many=True)


class ResponseResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(
        choices=STATUS_CHOICES, help_text=f"The case status after your answer, e.g. {Status.AGENCY_RESPONDED}."
    )
    response = AgencyResponseSerializer()
    clocks = ClockSerializer(many=True)


class MessageRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT)
    visibility = serializers.ChoiceField(
        choices=[("parties", "The ombudsman and the citizen"), ("agency", "The ombudsman only")],
        default="parties",
    )


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryFileField(serializers.FileField):
    """An uploaded file: in the schema `type: string, format: binary`, a file part of a multipart
    body (DRF's FileField is described as a `uri`, what it renders in responses, so generated
    clients sent the file's name as text)."""

    default_error_messages = {
        **serializers.FileField.default_error_messages,
        "invalid": "Send the file as a file part of a multipart/form-data body (with a filename), not as text.",
        "no_name": "Send the file as a file part of a multipart/form-data body (with a filename), not as text.",
    }


class AttachmentRequestSerializer(serializers.Serializer):
    file = BinaryFileField(help_text="PDF, JPEG, PNG, WebP or HEIC, at most 10 MB (type read from content).")


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = (
            "url",
            "active",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        )
        extra_kwargs = {
            "previous_secret_expires_at": {
                "help_text": "After a rotation: until then the replaced secret signs too (a second signature)."
            }
        }


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        required=False,
        help_text="`whsec_...` signing secret: present only when the endpoint is created or the secret rotated.",
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = (*WebhookEndpointSerializer.Meta.fields, "secret")


class WebhookEndpointRequestSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="HTTPS URL that receives POSTed events.")
    rotate_secret = serializers.BooleanField(
        default=False, help_text="Issue a new signing secret (shown once); the old one signs too for 24 hours."
    )


# --- the event feed ---------------------------------------------------------------------------


class DeliveryAttemptSerializer(serializers.Serializer):
    attempted_at = serializers.DateTimeField()
    succeeded = serializers.BooleanField()
    status_code = serializers.IntegerField(
        allow_null=True,
        help_text="Your endpoint's HTTP status; null when it gave none (timeout, refused, no endpoint).",
    )
    detail = serializers.CharField(
        help_text="Your endpoint's status and the start of its answer, or why nothing was sent."
    )
    duration_ms = serializers.IntegerField()


class WebhookPayloadSerializer(serializers.Serializer):
    """The body POSTed to your endpoint (Standard Webhooks envelope)."""

    type = serializers.CharField()
    timestamp = serializers.CharField(help_text="When the event happened (ISO 8601).")
    # A declared field named like Serializer.data: the metaclass moves it into `fields`.
    data = serializers.DictField(help_text="The event's data (see the event types in the guide).")  # type: ignore[assignment]


class WebhookEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The event's id: the `webhook-id` header of every delivery of it.")
    type = serializers.CharField(source="topic", help_text="Event type, e.g. `referral.created`, `ping`.")
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(
        choices=OutboxStatus.choices,
        help_text="`pending`: queued, or retrying after a failure (`next_attempt_at`); `delivered`: your endpoint "
        "answered 2xx; `dead`: given up after every retry or a 410; `refused`: the address guard refused your "
        "endpoint's address (nothing sent); `cancelled`: you had no active endpoint. Every one but `pending` "
        "can be redelivered.",
    )
    attempts = serializers.IntegerField(help_text="Delivery attempts since the event was last queued.")
    next_attempt_at = serializers.SerializerMethodField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(help_text="Why the last attempt failed ('' if it did not).")
    payload = WebhookPayloadSerializer()
    delivery_attempts = DeliveryAttemptSerializer(many=True, help_text="Every attempt, oldest first.")
    redeliver_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField(allow_null=True, help_text="When it is sent next (pending only)."))
    def get_next_attempt_at(self, obj: OutboxMessage) -> Any:
        if obj.status != OutboxStatus.PENDING:
            return None
        return serializers.DateTimeField().to_representation(obj.next_attempt_at)

    def get_redeliver_url(self, obj: OutboxMessage) -> str:
        path = reverse("agency_api:event-redeliver", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
