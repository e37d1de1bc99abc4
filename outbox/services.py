"""The outbox's services: the one place outbox rows are built (`outbox_row`, `outbox_email_row`,
`outbox_webhook_row`), queueing one inside the caller's transaction (`outbox_enqueue`,
`outbox_email`, `outbox_webhook`), the kick that asks a worker to relay now (`relay_kick`), and
the relay itself (lease, deliver, back off)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone

from .delivery import DELIVERERS, DeliveryError
from .models import Channel, DeliveryAttempt, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# Exponential backoff: 30 s doubling to a 6-hour ceiling; 16 attempts span more than a day.
BACKOFF_BASE_SECONDS = 30
BACKOFF_CEILING = timedelta(hours=6)
MAX_ATTEMPTS = 16


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)), BACKOFF_CEILING)


# The relay task's name (`outbox.tasks` registers it under this name). Services send it by name,
# so they never import the tasks module (which imports this one).
RELAY_TASK = "outbox.tasks.relay_outbox"


def relay_kick() -> None:
    """Ask a worker to relay now. Never raises: with the broker down, the periodic relay (beat,
    every 30 s) delivers what is committed."""
    try:
        current_app.send_task(RELAY_TASK)
    except Exception:  # broker down: the beat sweep delivers it later; the rows are safe in the DB
        logger.warning("outbox: could not reach the broker; the periodic relay will deliver", exc_info=True)


# --- rows: built here only, saved one by one (outbox_enqueue) or in bulk (clocks.sweep) ----------


def outbox_row(
    *,
    channel: Channel | str,
    topic: str,
    recipient: str,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    agency_id: int | None = None,
    complaint_id: int | None = None,
) -> OutboxMessage:
    """An unsaved outbox message, due now."""
    return OutboxMessage(
        channel=channel,
        topic=topic,
        recipient=recipient,
        payload=payload,
        dedupe_key=dedupe_key,
        agency_id=agency_id,
        complaint_id=complaint_id,
        next_attempt_at=now,
        created_at=now,
    )


def outbox_email_row(
    *, to: str, subject: str, body: str, topic: str, dedupe_key: str, now: datetime, complaint_id: int | None = None
) -> OutboxMessage | None:
    """The unsaved email message, or None when there is no address to send it to."""
    if not to:
        return None
    return outbox_row(
        channel=Channel.EMAIL,
        topic=topic,
        recipient=to,
        payload={"subject": subject, "body": body},
        dedupe_key=dedupe_key,
        now=now,
        complaint_id=complaint_id,
    )


def outbox_webhook_row(
    *,
    agency_id: int,
    event_type: str,
    data: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    complaint_id: int | None = None,
) -> OutboxMessage:
    """The unsaved webhook event for an agency (Standard Webhooks envelope: type, timestamp, data).
    The outbox message id is the `webhook-id`, the same on every retry."""
    return outbox_row(
        channel=Channel.WEBHOOK,
        topic=event_type,
        recipient=str(agency_id),
        agency_id=agency_id,
        complaint_id=complaint_id,
        dedupe_key=dedupe_key,
        now=now,
        payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
    )


# --- queueing one message inside the caller's transaction ----------------------------------------


def _save(message: OutboxMessage) -> OutboxMessage | None:
    """Insert the row; None if its `dedupe_key` exists. The relay is kicked once the caller commits."""
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        if OutboxMessage.objects.filter(dedupe_key=message.dedupe_key).exists():
            return None
        raise
    transaction.on_commit(relay_kick)
    return message


def outbox_enqueue(
    *,
    channel: Channel | str,
    topic: str,
    recipient: str,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    agency_id: int | None = None,
    complaint_id: int | None = None,
) -> OutboxMessage | None:
    """Queue a side effect inside the caller's transaction. Returns None if `dedupe_key` exists."""
    return _save(
        outbox_row(
            channel=channel,
            topic=topic,
            recipient=recipient,
            payload=payload,
            dedupe_key=dedupe_key,
            now=now,
            agency_id=agency_id,
            complaint_id=complaint_id,
        )
    )


def outbox_email(
    *, to: str, subject: str, body: str, topic: str, dedupe_key: str, now: datetime, complaint_id: int | None = None
) -> OutboxMessage | None:
    """Queue an email; nothing (None) without an address or if `dedupe_key` exists."""
    message = outbox_email_row(
        to=to, subject=subject, body=body, topic=topic, dedupe_key=dedupe_key, now=now, complaint_id=complaint_id
    )
    return _save(message) if message is not None else None


def outbox_webhook(
    *,
    agency_id: int,
    event_type: str,
    data: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    complaint_id: int | None = None,
) -> OutboxMessage | None:
    """Queue a webhook event for an agency (see `outbox_webhook_row`). None if `dedupe_key` exists."""
    return _save(
        outbox_webhook_row(
            agency_id=agency_id,
            event_type=event_type,
            data=data,
            dedupe_key=dedupe_key,
            now=now,
            complaint_id=complaint_id,
        )
    )


# --- the relay -----------------------------------------------------------------------------------


def _claim(*, now: datetime, batch_size: int) -> list[OutboxMessage]:
    """Lease a batch of due messages; rows leased by another relay are skipped, not waited for."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .exclude(leased_until__gt=now)
            .order_by("next_attempt_at")[:batch_size]
        )
        if rows:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in rows]).update(leased_until=now + LEASE)
    return rows


def outbox_deliver(*, message: OutboxMessage, now: datetime) -> bool:
    """Attempt one delivery and record it. Returns True when delivered."""
    deliver = DELIVERERS[message.channel]
    started = time.monotonic()
    try:
        result = deliver(message)
    except DeliveryError as exc:
        ok, status_code, detail, permanent = False, exc.status_code, str(exc), exc.permanent
    else:
        ok, status_code, detail, permanent = True, result.status_code, result.detail, False
    elapsed = int((time.monotonic() - started) * 1000)
    attempts = message.attempts + 1
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message,
            attempted_at=now,
            succeeded=ok,
            status_code=status_code,
            detail=detail[:2000],
            duration_ms=elapsed,
        )
        fields: dict[str, Any] = {"attempts": attempts, "leased_until": None, "last_error": "" if ok else detail[:2000]}
        if ok:
            fields.update(status=OutboxStatus.DELIVERED, delivered_at=now)
        elif permanent or attempts >= MAX_ATTEMPTS:
            fields.update(status=OutboxStatus.DEAD)
        else:
            fields.update(next_attempt_at=now + backoff(attempts))
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(**fields)
    if not ok:
        logger.warning("outbox %s %s attempt %s failed: %s", message.topic, message.pk, attempts, detail)
    return ok


def outbox_relay(*, now: datetime | None = None, batch_size: int = 50, max_batches: int = 20) -> int:
    """Deliver what is due, batch by batch. Safe to run concurrently and repeatedly."""
    delivered = 0
    for _ in range(max_batches):
        batch = _claim(now=now or timezone.now(), batch_size=batch_size)
        if not batch:
            break
        for message in batch:
            delivered += outbox_deliver(message=message, now=now or timezone.now())
    return delivered
