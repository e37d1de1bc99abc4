"""Agency endpoints of the tribunal's steps, under /api/v1/agency/: information requests, correction
orders and record reports. Every view derives from agency_api.base.AgencyAPIView: an information
request or correction order of another agency is not in the queryset, so it is a 404."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import RecordCategory
from kernel.errors import ServiceError
from tribunal import selectors as tribunal_selectors
from tribunal import services
from tribunal.models import CorrectionOrder, InformationRequest, InformationRequestStatus, OrderStatus

from .base import AgencyAPIView, AgencyCursorPagination
from .parsers import JSONParser
from .tribunal_serializers import (
    CorrectionConfirmRequestSerializer,
    CorrectionOrderSerializer,
    InformationAnswerJSONRequestSerializer,
    InformationAnswerMultipartRequestSerializer,
    InformationRequestSerializer,
    ProvisionalCommentRequestSerializer,
    ProvisionalCommentSerializer,
    ProvisionalDecisionSerializer,
    RecordReportResultSerializer,
    RecordReportSerializer,
    ReviewRequestSerializer,
    ReviewSerializer,
)
from .views import ReferralScoped


class _NewestFirst(AgencyCursorPagination):
    ordering = ("-created_at", "-id")


class _OrdersNewestFirst(AgencyCursorPagination):
    ordering = ("-ordered_at", "-id")


class InformationRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InformationRequestStatus.choices)

    class Meta:
        model = InformationRequest
        fields = ["status"]


class CorrectionOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = CorrectionOrder
        fields = ["status"]


class _InformationScoped(AgencyAPIView):
    agency_field = "agency"
    serializer_class = InformationRequestSerializer
    pagination_class = _NewestFirst

    def get_base_queryset(self) -> QuerySet[InformationRequest]:
        return InformationRequest.objects.select_related(
            "complaint__citizen", "complaint__respondent", "complaint__blacklist_entry"
        ).prefetch_related("documents")


class InformationRequestList(_InformationScoped, generics.ListAPIView):
    filterset_class = InformationRequestFilter

    @extend_schema(
        summary="Information requests sent to your agency",
        description="The ombudsman's demands for information during an investigation, newest first. Your agency "
        "may be asked even when the complaint is not about it (e.g. because it received the record).",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class InformationRequestDetail(_InformationScoped, generics.RetrieveAPIView):
    @extend_schema(summary="One information request")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class InformationRequestAnswer(_InformationScoped, generics.GenericAPIView):
    parser_classes = (MultiPartParser, JSONParser)

    @extend_schema(
        summary="Answer an information request",
        description=(
            "Two request bodies. With documents, `multipart/form-data`: `answer_text`, optional `answers` "
            "(one part per answer, each a JSON object {question, answer}) and one `files` file part per "
            "requested document (PDF or images, at most 10 MB each; the type is read from the content). "
            "Without documents, `application/json` with `answer_text` and optional `answers` (a JSON body "
            "carrying `files` is a 400). Meets the request's clock."
        ),
        request={
            "multipart/form-data": InformationAnswerMultipartRequestSerializer,
            "application/json": InformationAnswerJSONRequestSerializer,
        },
        responses={200: InformationRequestSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        obj = self.get_object()
        multipart = (request.content_type or "").startswith("multipart/")
        serializer: InformationAnswerMultipartRequestSerializer | InformationAnswerJSONRequestSerializer
        if multipart:
            serializer = InformationAnswerMultipartRequestSerializer(data=request.data)
        else:
            serializer = InformationAnswerJSONRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        answered = services.information_request_answer(
            request_id=obj.pk,
            actor=self.actor,
            answer_text=v["answer_text"],
            answers=[dict(a) for a in v.get("answers", [])],
            files=[services.Upload(f, f.name or "file", f.size) for f in v.get("files", [])],
            now=timezone.now(),
        )
        fresh = self.get_base_queryset().get(pk=answered.pk)
        return Response(InformationRequestSerializer(fresh).data, status=status.HTTP_200_OK)


class _OrderScoped(AgencyAPIView):
    agency_field = "agency"
    serializer_class = CorrectionOrderSerializer
    pagination_class = _OrdersNewestFirst

    def get_base_queryset(self) -> QuerySet[CorrectionOrder]:
        return CorrectionOrder.objects.select_related("complaint__citizen", "determination", "received_via", "category")


class CorrectionOrderList(_OrderScoped, generics.ListAPIView):
    filterset_class = CorrectionOrderFilter

    @extend_schema(
        summary="Correction orders for your agency",
        description="Orders to carry out a correction: as the record's holder after a determination, or as a "
        "recipient of a record that its source corrected or was ordered to correct. Each has its own deadline.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CorrectionOrderDetail(_OrderScoped, generics.RetrieveAPIView):
    @extend_schema(summary="One correction order")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CorrectionOrderConfirm(_OrderScoped, generics.GenericAPIView):
    parser_classes = (JSONParser,)

    @extend_schema(
        summary="Confirm a correction was carried out",
        description="Send the record as it was before and as it is after. The evidence must show the ordered "
        "change (deletion, corrected field, lifted sanction, annotation); an order that includes "
        "`disclose_criteria` needs `scoring_criteria`, which are published in the public register.",
        request=CorrectionConfirmRequestSerializer,
        responses={200: CorrectionOrderSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        obj = self.get_object()
        serializer = CorrectionConfirmRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        criteria = v.get("scoring_criteria")
        order = services.correction_order_confirm(
            order_id=obj.pk,
            actor=self.actor,
            evidence_before=dict(v["evidence_before"]),
            evidence_after=dict(v["evidence_after"]),
            note=v.get("note", ""),
            scoring_criteria=[dict(c) for c in criteria] if criteria is not None else None,
            now=timezone.now(),
        )
        return Response(CorrectionOrderSerializer(self.get_base_queryset().get(pk=order.pk)).data)


class RecordReport(AgencyAPIView, generics.GenericAPIView):
    """Records are reported by the caller's agency only (the agency is never taken from the body)."""

    agency_field = "agency"
    parser_classes = (JSONParser,)
    serializer_class = RecordReportSerializer

    def get_base_queryset(self) -> QuerySet[Any]:
        return CorrectionOrder.objects.none()

    @extend_schema(
        summary="Report a record you hold",
        description="Tell the ombudsman you hold (or have just loaded) a record about a person. If it matches a "
        "record the ombudsman ordered deleted, the case is reopened and the officer alerted.",
        request=RecordReportSerializer,
        responses={201: RecordReportResultSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = RecordReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        category = None
        if v.get("category"):
            category = RecordCategory.objects.filter(code=v["category"]).first()
            if category is None:
                raise ServiceError("Unknown record category code.", field="category")
        reported = services.record_reported(
            agency=self.agency,
            citizen_match_token=v["citizen_match_token"],
            agency_record_id=v["agency_record_id"],
            category=category,
            list_name=v.get("list_name", ""),
            source="api",
            now=timezone.now(),
        )
        body = {
            "id": reported.pk,
            "agency_record_id": reported.agency_record_id,
            "reported_at": reported.reported_at,
            "matched": reported.matched_watch_id is not None,
        }
        return Response(RecordReportResultSerializer(body).data, status=status.HTTP_201_CREATED)


# --- the provisional decision and the review, on a referral -----------------------------------


class ReferralProvisionalDecision(ReferralScoped):
    @extend_schema(
        summary="The provisional decision on a referral",
        description="What the ombudsman intends to decide, shared for comment before the final decision (which "
        "may change). 404 when the case has no provisional decision now. Also sent as the "
        "`determination.provisional` webhook.",
        responses={200: ProvisionalDecisionSerializer},
    )
    def get(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        view = tribunal_selectors.provisional_view(complaint, party="agency", now=timezone.now())
        if view is None:
            raise NotFound("This case has no provisional decision.")
        return Response(ProvisionalDecisionSerializer(view).data)


class ReferralProvisionalComments(ReferralScoped):
    parser_classes = (JSONParser,)

    @extend_schema(
        summary="Comment on the provisional decision",
        description="Within your comment period (`comments_due_at`); the first comment meets your "
        "`provisional_comment` clock. 409 when there is no provisional decision or the period has ended.",
        request=ProvisionalCommentRequestSerializer,
        responses={201: ProvisionalCommentSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        serializer = ProvisionalCommentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.provisional_comment_on_case(
            complaint_id=complaint.pk,
            actor=self.actor,
            comment=serializer.validated_data["comment"],
            now=timezone.now(),
        )
        return Response(ProvisionalCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class ReferralReview(ReferralScoped):
    parser_classes = (JSONParser,)

    @extend_schema(
        summary="The review of the final decision",
        description="404 when no review was asked for.",
        responses={200: ReviewSerializer},
    )
    def get(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        view = tribunal_selectors.review_view(complaint)
        if view is None or view.review is None:
            raise NotFound("No review was asked for on this case.")
        return Response(ReviewSerializer(view.review).data)

    @extend_schema(
        summary="Ask for a review of the final decision",
        description="Once per decision (by either party), within 30 days of its issue, with reasons. A senior "
        "officer who took no part in the case decides it; you receive `determination.review_decided`.",
        request=ReviewRequestSerializer,
        responses={201: ReviewSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        complaint = self.get_object()
        serializer = ReviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reasons = serializer.validated_data["reasons"]
        review = services.review_request(
            complaint_id=complaint.pk, actor=self.actor, reasons=reasons, now=timezone.now()
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
