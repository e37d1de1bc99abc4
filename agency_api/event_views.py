"""The agency's event feed, under /api/v1/agency/: every webhook event meant for the caller's
agency, delivered or not, with its delivery attempts (`events/`), redelivery of one event
(`events/{id}/redeliver`) and a signed test ping (`webhook/test`). Every view derives from
AgencyAPIView: another agency's event is not in the queryset, so it is a 404."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.scoping import agency_scoped
from outbox.models import OutboxMessage, OutboxStatus
from outbox.selectors import webhook_events

from . import services
from .base import AgencyAPIView, AgencyCursorPagination
from .models import WebhookEndpoint
from .parsers import JSONParser
from .serializers import WebhookEventSerializer
from .views import UTCDateTimeFilter

_EVENT_EXAMPLE = {
    "id": "0b9c3f1e-6f1d-4a51-9d55-2f7d4f0e8a11",
    "type": "referral.created",
    "created_at": "2026-11-26T10:00:00Z",
    "status": "dead",
    "attempts": 16,
    "next_attempt_at": None,
    "delivered_at": None,
    "last_error": "503 from hooks.agency.example: busy",
    "payload": {
        "type": "referral.created",
        "timestamp": "2026-11-26T10:00:00+00:00",
        "data": {
            "reference": "OMB-2026-000123",
            "status": "referred",
            "category": "inaccurate_data",
            "urgent": False,
            "url": "https://ombudsman.example/api/v1/agency/referrals/OMB-2026-000123/",
        },
    },
    "delivery_attempts": [
        {
            "attempted_at": "2026-11-26T10:00:01Z",
            "succeeded": False,
            "status_code": 503,
            "detail": "503 from hooks.agency.example: busy",
            "duration_ms": 120,
        }
    ],
    "redeliver_url": "https://ombudsman.example/api/v1/agency/events/0b9c3f1e-6f1d-4a51-9d55-2f7d4f0e8a11/redeliver",
}
_REQUEUED_EXAMPLE = {
    **_EVENT_EXAMPLE,
    "status": "pending",
    "attempts": 0,
    "next_attempt_at": "2026-11-27T09:00:00Z",
}
_PING_EXAMPLE = {
    **_EVENT_EXAMPLE,
    "id": "6a1f0c52-93c4-4d0e-8a55-1f3e8f8c2b10",
    "type": "ping",
    "status": "pending",
    "attempts": 0,
    "next_attempt_at": "2026-11-27T09:00:00Z",
    "last_error": "",
    "payload": {
        "type": "ping",
        "timestamp": "2026-11-27T09:00:00+00:00",
        "data": {"agency": "court-list", "message": "Test event: your endpoint receives and verifies webhooks."},
    },
    "delivery_attempts": [],
    "redeliver_url": "https://ombudsman.example/api/v1/agency/events/6a1f0c52-93c4-4d0e-8a55-1f3e8f8c2b10/redeliver",
}


class _NewestFirst(AgencyCursorPagination):
    ordering = ("-created_at", "-id")


class EventFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(
        field_name="topic", help_text="Only events of this type, e.g. `referral.created`, `clock.missed`, `ping`."
    )
    since = UTCDateTimeFilter(
        param="since",
        field_name="created_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time: only events created at or after it.",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=OutboxStatus.choices, distinct=False, help_text="Delivery status (repeat for several)."
    )

    class Meta:
        model = OutboxMessage
        fields = ("type", "since", "status")


class _EventScoped(AgencyAPIView):
    agency_field = "agency"
    serializer_class = WebhookEventSerializer
    pagination_class = _NewestFirst

    def get_base_queryset(self) -> QuerySet[OutboxMessage]:
        return webhook_events()


class EventList(_EventScoped, generics.ListAPIView):
    filterset_class = EventFilter

    @extend_schema(
        summary="Your event feed",
        description=(
            "Every webhook event meant for your agency, newest first, whether it was delivered or not (also when "
            "you had no endpoint, or the address guard refused it), with every delivery attempt. Read it to catch "
            "up after an outage; redeliver what you missed."
        ),
        examples=[OpenApiExample("An event that could not be delivered", value=_EVENT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class EventDetail(_EventScoped, generics.RetrieveAPIView):
    @extend_schema(summary="One event", description="One event of your feed, with its delivery attempts.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class EventRedeliver(_EventScoped, generics.GenericAPIView):
    parser_classes = (JSONParser,)

    @extend_schema(
        summary="Redeliver an event",
        description=(
            "Queue the event again, due now, with a fresh set of retries: delivered, dead, refused (fix the "
            "endpoint first) and cancelled events alike. It keeps its id (`webhook-id`) and its delivery log. "
            "An event still pending is a 409; no active endpoint is a 404 (none registered) or a 409 (disabled)."
        ),
        request=None,
        responses={202: WebhookEventSerializer},
        examples=[OpenApiExample("Queued again", value=_REQUEUED_EXAMPLE, response_only=True, status_codes=["202"])],
    )
    def post(self, request: Request, pk: str) -> Response:
        event = self.get_object()
        services.webhook_event_redeliver(agency=self.agency, message_id=event.pk, now=timezone.now())
        fresh = self.get_queryset().get(pk=event.pk)
        body = WebhookEventSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class WebhookTest(AgencyAPIView):
    agency_field = "agency"
    parser_classes = (JSONParser,)
    serializer_class = WebhookEventSerializer

    def get_base_queryset(self) -> QuerySet[WebhookEndpoint]:
        return WebhookEndpoint.objects.all()

    @extend_schema(
        summary="Send a test event",
        description=(
            "Queues a signed `ping` event to your endpoint through the outbox, as every event is sent (same "
            "headers and signature, same retries); follow it in the event feed. 404 without an endpoint, 409 if "
            "it is disabled."
        ),
        request=None,
        responses={202: WebhookEventSerializer},
        examples=[OpenApiExample("Ping queued", value=_PING_EXAMPLE, response_only=True, status_codes=["202"])],
    )
    def post(self, request: Request) -> Response:
        message = services.webhook_test_send(agency=self.agency, now=timezone.now())
        fresh = agency_scoped(webhook_events(), actor=self.actor, agency_field="agency").get(pk=message.pk)
        body = WebhookEventSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


__all__ = ["EventDetail", "EventList", "EventRedeliver", "WebhookTest"]
