"""Agency API endpoints for referrals, their evidence and messages, and the agency's webhook. Every
view derives from AgencyAPIView (scoping, auth, idempotency); the tribunal's endpoints are in
agency_api.tribunal_views."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from citizens.models import AccessKind
from citizens.services import Read
from clocks.selectors import clocks_for_complaint
from complaints.models import AgencyResponse, Attachment, CaseEvent, Complaint
from complaints.selectors import case_events_for, referred_complaints
from complaints.services import (
    attachment_add,
    complaint_acknowledge,
    complaint_mark_disputed,
    complaint_post_message,
    complaint_record_agency_response,
)
from complaints.transitions import Status, TransitionError
from kernel.actors import Actor
from kernel.errors import Conflict
from kernel.events import CaseEventKind
from kernel.http import attachment_response, open_stored
from kernel.visibility import VISIBLE_TO_AGENCY, Visibility

from . import services
from .base import AgencyAPIView
from .idempotency import IDEMPOTENCY_HEADER
from .models import WebhookEndpoint
from .parsers import JSONParser
from .schema import DOWNLOAD_HEADERS, download_responses
from .serializers import (
    AttachmentRequestSerializer,
    AttachmentSerializer,
    MessageRequestSerializer,
    MessageSerializer,
    ReferralDetailSerializer,
    ReferralListSerializer,
    ResponseRequestSerializer,
    ResponseResultSerializer,
    StepResultSerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointRequestSerializer,
    WebhookEndpointSerializer,
)


def clock_rows(complaint: Complaint) -> list[dict[str, Any]]:
    """Every clock on the case the agency should see, as ClockSerializer rows."""
    rows = []
    for clock in clocks_for_complaint(complaint=complaint, audience="agency"):
        rows.append(
            {
                "obligation": clock.obligation,
                "status": clock.status,
                "rule": f"{clock.rule.code} v{clock.rule_version}",
                "rule_title": clock.rule.title,
                "started_at": clock.started_at,
                "due_at": clock.due_at,
                "explanation": clock.explanation,
                "met_at": clock.met_at,
            }
        )
    return rows


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 with any offset, compared in UTC (the database refuses odd offsets)."""

    def __init__(self, *args: Any, param: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.param = param

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except (OverflowError, ValueError):
                raise ValidationError({self.param: ["Give a date-time between the years 1 and 9999."]})
        return super().filter(qs, value)


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.value) for s in Status],
        distinct=False,  # a plain column: no join, no duplicates
        help_text="Case status (repeat for several).",
    )
    updated_after = UTCDateTimeFilter(
        param="updated_after",
        field_name="updated_at",
        lookup_expr="gt",
        help_text="ISO 8601 date-time: only cases changed after it.",
    )

    class Meta:
        model = Complaint
        fields = ("status", "updated_after")


class ReferralScoped(AgencyAPIView):
    """Referrals: cases the ombudsman referred to the caller's agency."""

    agency_field = "respondent"
    lookup_field = "reference"

    def get_base_queryset(self) -> QuerySet[Complaint]:
        return referred_complaints().select_related("citizen", "blacklist_entry__category", "score_record")


@extend_schema(summary="List referrals", description="Cases referred to your agency, most recently changed first.")
class ReferralList(ReferralScoped, generics.ListAPIView):
    serializer_class = ReferralListSerializer
    filterset_class = ReferralFilter

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.log_read(AccessKind.LISTED, [Read(c.citizen_id, c.pk) for c in page])
        return page


@extend_schema(
    summary="Get a referral",
    description=(
        "The complaint, the disputed record, the citizen's statement, evidence (authorised download links), "
        "remedies sought, urgency, every clock (rule, due time, explanation) and the messages you can see."
    ),
)
class ReferralDetail(ReferralScoped, generics.RetrieveAPIView):
    serializer_class = ReferralDetailSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        complaint = self.get_object()
        self.log_read(AccessKind.CASE, [Read(complaint.citizen_id, complaint.pk)])
        context = dict(self.get_serializer_context())
        context.update(referral_context(complaint))
        return Response(ReferralDetailSerializer(complaint, context=context).data)


def referral_context(complaint: Complaint) -> dict[str, Any]:
    return {
        "evidence": list(complaint.attachments.filter(visibility__in=VISIBLE_TO_AGENCY).select_related("complaint")),
        "clocks": clock_rows(complaint),
        "messages": list(case_events_for(complaint=complaint, audience="agency")),
        "responses": list(AgencyResponse.objects.filter(complaint=complaint, agency_id=complaint.respondent_id)),
    }


def _step_result(complaint_id: int, event: CaseEvent) -> dict[str, Any]:
    complaint = Complaint.objects.get(pk=complaint_id)
    body = {
        "reference": complaint.reference,
        "status": complaint.status,
        "event": event,
        "clocks": clock_rows(complaint),
    }
    return dict(StepResultSerializer(body).data)


class ReferralStep(ReferralScoped):
    parser_classes = (JSONParser, FormParser)
    serializer_class = StepResultSerializer
    step = staticmethod(complaint_acknowledge)

    @extend_schema(request=None, responses={200: StepResultSerializer})
    def post(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        event = type(self).step(complaint_id=complaint.pk, actor=self.actor, now=timezone.now())
        return Response(_step_result(complaint.pk, event))


@extend_schema(summary="Acknowledge a referral", description="Meets the acknowledgement clock. Once per referral.")
class ReferralAcknowledge(ReferralStep):
    step = staticmethod(complaint_acknowledge)


@extend_schema(
    summary="Mark the record as disputed",
    description="Mark the record as disputed while you review it (restrictions under review); meets that clock.",
)
class ReferralFlagDisputed(ReferralStep):
    step = staticmethod(complaint_mark_disputed)


class ReferralRespond(ReferralScoped):
    parser_classes = (JSONParser,)
    serializer_class = ResponseRequestSerializer

    @extend_schema(
        summary="Answer a referral",
        description=(
            "Your structured answer. `corrections` are required for `corrected` and `partially_corrected`; "
            "`scoring_criteria` when the complaint asks for disclosure of the criteria. `verified` sends the case "
            "to investigation; corrections and deletions go to the citizen to confirm."
        ),
        request=ResponseRequestSerializer,
        responses={201: ResponseResultSerializer},
        examples=[
            OpenApiExample(
                "Corrected",
                request_only=True,
                value={
                    "outcome": "corrected",
                    "explanation": "The judgment was paid on 2021-03-02; the listing is corrected.",
                    "corrections": [{"field": "status", "old_value": "listed", "new_value": "satisfied 2021-03-02"}],
                },
            ),
            OpenApiExample(
                "Verified, with the scoring criteria a disclosure request asks for",
                request_only=True,
                value={
                    "outcome": "verified",
                    "explanation": "The score was computed correctly; here is how.",
                    "scoring_criteria": [
                        {
                            "factor": "Court judgments",
                            "description": "Unperformed judgments on the national list",
                            "direction_or_weight": "lowers the score by 50 points",
                            "data_source": "Supreme People's Court list",
                        }
                    ],
                },
            ),
            OpenApiExample(
                "Validation problem",
                response_only=True,
                status_codes=["400"],
                media_type="application/problem+json",
                value={
                    "type": "/api/v1/docs/#problem-validation",
                    "title": "Invalid request",
                    "status": 400,
                    "detail": "corrections: List each change as {field, old_value, new_value} for a correction.",
                    "instance": "/api/v1/agency/referrals/OMB-2026-000123/response",
                    "errors": [
                        {
                            "field": "corrections",
                            "message": "List each change as {field, old_value, new_value} for a correction.",
                            "code": "invalid",
                        }
                    ],
                },
            ),
        ],
    )
    def post(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        return Response(answer_referral(complaint, request.data, actor=self.actor), status=status.HTTP_201_CREATED)


def answer_referral(complaint: Complaint, payload: Any, *, actor: Actor) -> dict[str, Any]:
    """Validate one answer to a referral of the caller's agency, record it, and return the
    ResponseResult body (the single answer and each item of a batch). Raises what the API turns
    into problems (400 validation, 409 state)."""
    serializer = ResponseRequestSerializer(data=payload, context={"complaint": complaint})
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    try:
        answer = complaint_record_agency_response(
            complaint_id=complaint.pk,
            actor=actor,
            outcome=data["outcome"],
            explanation=data["explanation"],
            corrections=[dict(c) for c in data.get("corrections", [])],
            scoring_criteria=[dict(c) for c in data.get("scoring_criteria", [])],
            now=timezone.now(),
        )
    except TransitionError as exc:
        raise second_answer_conflict(complaint) or exc from exc
    complaint.refresh_from_db()
    body = {
        "reference": complaint.reference,
        "status": complaint.status,
        "response": {
            "outcome": answer.outcome,
            "explanation": answer.explanation,
            "corrections": answer.corrections,
            "scoring_criteria": answer.scoring_criteria,
            "responded_at": answer.responded_at,
        },
        "clocks": clock_rows(complaint),
    }
    return dict(ResponseResultSerializer(body).data)


def second_answer_conflict(complaint: Complaint) -> Conflict | None:
    """The 409 for an answer to a referral that already has one, saying what the agency can do
    instead (None when the refusal has another cause: the generic message then stands)."""
    previous = (
        AgencyResponse.objects.filter(complaint=complaint, agency_id=complaint.respondent_id)
        .order_by("-responded_at", "-id")
        .first()
    )
    referred = (
        CaseEvent.objects.filter(complaint=complaint, kind=CaseEventKind.REFER)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    if previous is None or (referred is not None and previous.responded_at < referred):
        return None  # no answer to this referral yet: the refusal has another cause
    when = previous.responded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    base = f"referrals/{complaint.reference}"
    return Conflict(
        f"This referral already has a final answer ({previous.outcome}, {when}); a referral takes one answer. "
        f"To add to it, send a message (POST {base}/messages) or evidence (POST {base}/attachments): the "
        "ombudsman reviews it, and if the case is referred to you again you can answer that referral.",
        code="already_answered",
    )


class ReferralMessages(ReferralScoped):
    parser_classes = (JSONParser,)
    serializer_class = MessageRequestSerializer

    @extend_schema(
        summary="Send a message on a case",
        description="`parties`: the ombudsman and the citizen read it; `agency`: the ombudsman only.",
        request=MessageRequestSerializer,
        responses={201: MessageSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        serializer = MessageRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = complaint_post_message(
            complaint_id=complaint.pk,
            actor=self.actor,
            text=serializer.validated_data["text"],
            visibility=Visibility(serializer.validated_data["visibility"]),
            now=timezone.now(),
        )
        return Response(MessageSerializer(event).data, status=status.HTTP_201_CREATED)


class ReferralAttachments(ReferralScoped):
    parser_classes = (MultiPartParser,)
    serializer_class = AttachmentRequestSerializer

    @extend_schema(
        summary="Add evidence to a case",
        description="multipart/form-data with one `file`. The type is read from the content; the name is not kept "
        "on disk.",
        request={"multipart/form-data": AttachmentRequestSerializer},
        responses={201: AttachmentSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        serializer = AttachmentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        attachment = attachment_add(
            complaint_id=complaint.pk,
            actor=self.actor,
            fileobj=upload,
            filename=upload.name or "file",
            size=upload.size,
            now=timezone.now(),
        )
        return Response(
            AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class AttachmentDownload(ReferralScoped):
    @extend_schema(
        summary="Download evidence",
        description=(
            "The file's bytes, as a download: `Content-Type` is the type read from its content when it was "
            "uploaded (PDF or an image), otherwise `application/octet-stream`; `Content-Disposition` names it."
        ),
        responses=download_responses("The file, as uploaded."),
        parameters=DOWNLOAD_HEADERS,
    )
    def get(self, request: Request, reference: str, attachment_id: int) -> FileResponse:
        complaint = self.get_object()
        attachment = (
            Attachment.objects.filter(complaint=complaint, pk=attachment_id, visibility__in=VISIBLE_TO_AGENCY)
            .only("file", "content_type", "original_name")
            .first()
        )
        if attachment is None:
            raise NotFound()
        self.log_read(AccessKind.FILE, [Read(complaint.citizen_id, complaint.pk, attachment.pk)])
        return attachment_response(
            open_stored(attachment.file), stored_name=attachment.original_name, content_type=attachment.content_type
        )


class WebhookView(AgencyAPIView):
    agency_field = "agency"
    parser_classes = (JSONParser,)
    serializer_class = WebhookEndpointSerializer

    def get_base_queryset(self) -> QuerySet[WebhookEndpoint]:
        return WebhookEndpoint.objects.all()

    @extend_schema(summary="Your webhook endpoint", responses={200: WebhookEndpointSerializer})
    def get(self, request: Request) -> Response:
        endpoint = self.get_queryset().first()
        if endpoint is None:
            raise NotFound("No webhook endpoint registered yet: PUT one.")
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Register or change your webhook endpoint",
        description=(
            "One HTTPS endpoint per agency. The signing secret (`whsec_...`) is returned only when the endpoint is "
            "created or `rotate_secret` is true: store it. After a rotation the replaced secret keeps signing "
            "for 24 hours (`previous_secret_expires_at`): each event then carries two `v1,` signatures, so switch "
            "your receiver within that time. Send an `Idempotency-Key` with a rotation: a retry with the same key "
            "answers the same new secret and rotates nothing. PUT also re-enables an endpoint disabled by a 410."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Makes a rotation safe to retry: the same key answers the secret it issued.",
            )
        ],
        request=WebhookEndpointRequestSerializer,
        responses={200: WebhookEndpointCreatedSerializer, 201: WebhookEndpointCreatedSerializer},
    )
    def put(self, request: Request) -> Response:
        serializer = WebhookEndpointRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
        if len(key) > 255 or not key.isprintable():
            raise ValidationError({IDEMPOTENCY_HEADER: ["Use 1-255 printable characters."]})
        endpoint, secret, created = services.webhook_endpoint_set(
            agency=self.agency,
            url=serializer.validated_data["url"],
            rotate_secret=serializer.validated_data["rotate_secret"],
            rotation_key=services.rotation_key_hash(client_id=self.client.pk, key=key) if key else "",
            now=timezone.now(),
        )
        body = dict(WebhookEndpointSerializer(endpoint).data)
        if secret is not None:
            body["secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


__all__ = [
    "AttachmentDownload",
    "ReferralAcknowledge",
    "ReferralAttachments",
    "ReferralDetail",
    "ReferralFlagDisputed",
    "ReferralList",
    "ReferralMessages",
    "ReferralRespond",
    "WebhookView",
]
