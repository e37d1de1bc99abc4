"""Reads of the outbox: the webhook events of an agency's event feed (agency_api), with their
delivery log."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Channel, DeliveryAttempt, OutboxMessage


def webhook_events() -> QuerySet[OutboxMessage]:
    """Every webhook event, whatever its status (pending, delivered, dead, refused, cancelled),
    each with its delivery attempts (one prefetch query a page). Unscoped: callers limit it to one
    agency (agency_api's AgencyAPIView)."""
    attempts = DeliveryAttempt.objects.only(
        "id", "message_id", "attempted_at", "succeeded", "status_code", "detail", "duration_ms"
    ).order_by("attempted_at", "id")
    return OutboxMessage.objects.filter(channel=Channel.WEBHOOK).prefetch_related(
        Prefetch("delivery_attempts", queryset=attempts)
    )
