"""The outbox's services: the one place outbox rows are built (`outbox_row`, `outbox_email_row`,
`outbox_webhook_row`), queueing one inside the caller's transaction (`outbox_enqueue`,
`outbox_email`, `outbox_webhook`), the kick that asks a worker to relay now (`relay_kick`), and
the relay itself (lease, deliver, back off)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .delivery import DELIVERERS, DeliveryContext, DeliveryError
from .models import REQUEUEABLE, Channel, DeliveryAttempt, OutboxMessage, OutboxStatus, SlowDestination

logger = logging.getLogger(__name__)

# Exponential backoff: 30 s doubling to a 6-hour ceiling; 16 attempts span more than a day.
BACKOFF_BASE_SECONDS = 30
BACKOFF_CEILING = timedelta(hours=6)
MAX_ATTEMPTS = 16


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)), BACKOFF_CEILING)


# The relay lanes, each relayed by its own task on its own Celery queue (routing in settings):
# emails, webhooks, and the webhooks of agencies whose endpoint is slow (SlowDestination).
LANE_EMAIL = "email"
LANE_WEBHOOKS = "webhooks"
LANE_WEBHOOKS_SLOW = "webhooks_slow"
LANES = (LANE_EMAIL, LANE_WEBHOOKS, LANE_WEBHOOKS_SLOW)
# The tasks' names (`outbox.tasks` registers them). Services send them by name, so they never
# import the tasks module (which imports this one).
RELAY_TASKS = {
    LANE_EMAIL: "outbox.tasks.relay_email",
    LANE_WEBHOOKS: "outbox.tasks.relay_webhooks",
    LANE_WEBHOOKS_SLOW: "outbox.tasks.relay_webhooks_slow",
}
_CHANNEL_LANE = {Channel.EMAIL: LANE_EMAIL, Channel.WEBHOOK: LANE_WEBHOOKS}


def relay_kick(channel: str | None = None, *, lane: str | None = None) -> None:
    """Ask a worker to relay now: the lane of `channel` (or `lane`), or the email and webhook
    lanes. Never raises: with the broker down, the periodic relay (beat, every 30 s) delivers
    what is committed."""
    lanes = [lane] if lane else [_CHANNEL_LANE[Channel(channel)]] if channel else [LANE_EMAIL, LANE_WEBHOOKS]
    for name in lanes:
        try:
            current_app.send_task(RELAY_TASKS[name])
        except Exception:  # broker down: the beat relay delivers it later; the rows are safe in the DB
            logger.warning("outbox: could not reach the broker; the periodic relay will deliver", exc_info=True)
            return


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


def _insert_unless_queued(message: OutboxMessage) -> bool:
    """One `INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING` (PostgreSQL and SQLite
    3.35+): True if the row was written. No savepoint, so queueing costs one statement inside a
    step's transaction however many messages the step queues."""
    connection = transaction.get_connection()
    fields = OutboxMessage._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(message, True), connection) for f in fields]
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608 - names from the model
            f"ON CONFLICT ({connection.ops.quote_name('dedupe_key')}) DO NOTHING RETURNING 1",
            values,
        )
        written = cursor.fetchone() is not None
    if written:
        message._state.adding = False
        message._state.db = connection.alias
    return written


def _save(message: OutboxMessage) -> OutboxMessage | None:
    """Insert the row; None if its `dedupe_key` exists. The relay is kicked once the caller commits."""
    if not _insert_unless_queued(message):
        return None
    kick_on_commit(message.channel)
    return message


@dataclass(frozen=True)
class LaneKick:
    """`relay_kick` of one lane, as an on-commit callback that compares equal to its twin."""

    lane: str

    def __call__(self) -> None:
        relay_kick(lane=self.lane)


def kick_on_commit(channel: str) -> None:
    """Kick the relay lane of `channel` once the caller commits: once per transaction and lane,
    however many messages it queued (one broker publish, not one per message)."""
    kick = LaneKick(_CHANNEL_LANE[Channel(channel)])
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] == kick for entry in connection.run_on_commit):
        return
    transaction.on_commit(kick)


def outbox_bulk(messages: list[OutboxMessage]) -> None:
    """Insert many rows built by the row builders in one statement, inside the caller's
    transaction (rows whose `dedupe_key` exists are skipped); one relay kick on commit."""
    if not messages:
        return
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    for channel in sorted({m.channel for m in messages}):
        kick_on_commit(channel)


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
#
# A relay run claims a batch of due messages of one lane (FOR UPDATE SKIP LOCKED: concurrent runs
# never wait for each other), writing a fresh claim token and a lease. It leases no more messages
# than it can send inside the lease at the worst case (connect + read timeout per message), and
# before each message it checks that the lease still covers that worst case; if not, it renews
# the lease of what it still holds (only rows that still carry its token) or stops. Outcomes are
# written per message but committed together (every FLUSH_MESSAGES messages or FLUSH_SECONDS), an
# outcome only onto a row that still carries the run's token. The run goes on while messages are
# due, up to a time budget; the task then kicks itself again. A crash (kill -9) loses at most the
# outcomes of the last flush window: those messages are sent again after their lease ends, with
# the same `webhook-id` (at-least-once; receivers deduplicate on it).

FLUSH_MESSAGES = 50
FLUSH_SECONDS = 1.0
LEASE_MARGIN_SECONDS = 2.0
SLOW_MARK = timedelta(minutes=10)


def lease() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "OUTBOX_LEASE_SECONDS", 300)))


def worst_case_seconds(channel: str | None) -> float:
    """The longest one attempt can take on `channel` (None: any channel)."""
    webhook = float(getattr(settings, "WEBHOOK_CONNECT_TIMEOUT_SECONDS", 5.0)) + float(
        getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10.0)
    )
    email = float(getattr(settings, "EMAIL_TIMEOUT", None) or 10.0)
    if channel == Channel.WEBHOOK:
        return webhook
    if channel == Channel.EMAIL:
        return email
    return max(webhook, email)


def lease_capacity(channel: str | None) -> int:
    """How many messages one lease covers at the worst case."""
    usable = lease().total_seconds() - LEASE_MARGIN_SECONDS
    return max(1, int(usable // worst_case_seconds(channel)))


@dataclass
class Outcome:
    """The result of one attempt, written with the rest of its batch."""

    message: OutboxMessage
    at: datetime
    ok: bool
    status_code: int | None
    detail: str
    duration_ms: int
    permanent: bool = False
    refused: bool = False


@dataclass
class RelayRun:
    delivered: int = 0
    attempted: int = 0
    batches: int = 0
    more_due: bool = False  # stopped by the time budget (or max_batches) with messages still due
    first_batch_full: bool = False
    slow_agencies: set[int] = field(default_factory=set)


def outbox_send(*, message: OutboxMessage, context: DeliveryContext, now: datetime) -> Outcome:
    """Attempt one delivery (nothing written): the one send path every relay run takes."""
    deliver = DELIVERERS[message.channel]
    started = time.monotonic()
    try:
        result = deliver(message, context)
    except DeliveryError as exc:
        ok, status_code, detail, permanent, refused = False, exc.status_code, str(exc), exc.permanent, exc.refused
    else:
        ok, status_code, detail, permanent, refused = True, result.status_code, result.detail, False, False
    return Outcome(
        message=message,
        at=now,
        ok=ok,
        status_code=status_code,
        detail=detail,
        duration_ms=int((time.monotonic() - started) * 1000),
        permanent=permanent,
        refused=refused,
    )


def _lane_filter(lane: str | None, now: datetime) -> Q:
    if lane is None:
        return Q()
    if lane == LANE_EMAIL:
        return Q(channel=Channel.EMAIL)
    slow = SlowDestination.objects.filter(until__gt=now).values("agency_id")
    if lane == LANE_WEBHOOKS:
        return Q(channel=Channel.WEBHOOK) & ~Q(agency_id__in=slow)
    if lane == LANE_WEBHOOKS_SLOW:
        return Q(channel=Channel.WEBHOOK, agency_id__in=slow)
    raise ValueError(f"unknown relay lane {lane!r}")


def _claim(*, now: datetime, batch_size: int, lane: str | None = None) -> tuple[uuid.UUID, list[OutboxMessage]]:
    """Lease a batch of due messages under a fresh claim token; rows leased by another run are
    skipped, not waited for."""
    token = uuid.uuid4()
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_lane_filter(lane, now), status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .exclude(leased_until__gt=now)
            .order_by("next_attempt_at")[:batch_size]
        )
        if rows:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in rows]).update(
                leased_until=now + lease(), claim_token=token
            )
    for row in rows:
        row.claim_token = token
    return token, rows


def _renew(*, token: uuid.UUID, ids: list[uuid.UUID], now: datetime) -> set[uuid.UUID]:
    """Extend the lease of the rows among `ids` that still carry `token`; returns those ids.
    A row claimed by another run since carries that run's token and is left alone."""
    mine = OutboxMessage.objects.filter(pk__in=ids, claim_token=token, status=OutboxStatus.PENDING)
    mine.update(leased_until=now + lease())
    return set(mine.values_list("pk", flat=True))


def _release(*, token: uuid.UUID, ids: list[uuid.UUID]) -> None:
    """Give back leased rows not attempted (time budget, slow lane): due again at once."""
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, claim_token=token, status=OutboxStatus.PENDING).update(
            leased_until=None, claim_token=None
        )


def _record(*, token: uuid.UUID, outcomes: list[Outcome]) -> None:
    """Write a batch of outcomes in one transaction: the delivery log, then each row's state
    (only rows still holding this run's token, and still pending)."""
    if not outcomes:
        return
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    message_id=o.message.pk,
                    attempted_at=o.at,
                    succeeded=o.ok,
                    status_code=o.status_code,
                    detail=o.detail[:2000],
                    duration_ms=o.duration_ms,
                )
                for o in outcomes
            ]
        )
        mine = OutboxMessage.objects.filter(claim_token=token, status=OutboxStatus.PENDING)
        delivered = [o for o in outcomes if o.ok]
        if delivered:  # one statement for every delivered message of the batch
            mine.filter(pk__in=[o.message.pk for o in delivered]).update(
                status=OutboxStatus.DELIVERED,
                delivered_at=Case(*(When(pk=o.message.pk, then=Value(o.at)) for o in delivered)),
                attempts=F("attempts") + 1,
                leased_until=None,
                claim_token=None,
                last_error="",
            )
        for o in outcomes:
            if o.ok:
                continue
            attempts = o.message.attempts + 1
            fields: dict[str, Any] = {
                "attempts": attempts,
                "leased_until": None,
                "claim_token": None,
                "last_error": o.detail[:2000],
            }
            if o.refused:
                fields["status"] = OutboxStatus.REFUSED
            elif o.permanent or attempts >= MAX_ATTEMPTS:
                fields["status"] = OutboxStatus.DEAD
            else:
                fields["next_attempt_at"] = o.at + backoff(attempts)
            mine.filter(pk=o.message.pk).update(**fields)
            logger.warning("outbox %s %s attempt %s failed: %s", o.message.topic, o.message.pk, attempts, o.detail)


def _slow_threshold_ms() -> float:
    return float(getattr(settings, "OUTBOX_SLOW_SECONDS", 2.0)) * 1000


def _is_slow(outcome: Outcome) -> bool:
    return outcome.duration_ms >= _slow_threshold_ms() or "Timeout" in outcome.detail


def outbox_mark_slow(*, agency_id: int, now: datetime, reason: str) -> None:
    """Send this agency's webhooks through the slow lane for a while (SLOW_MARK)."""
    SlowDestination.objects.update_or_create(
        agency_id=agency_id, defaults={"marked_at": now, "until": now + SLOW_MARK, "reason": reason[:300]}
    )


def outbox_unmark_slow(*, agency_id: int) -> None:
    SlowDestination.objects.filter(agency_id=agency_id).delete()


def outbox_relay_run(
    *,
    now: datetime | None = None,
    lane: str | None = None,
    batch_size: int | None = None,
    max_batches: int | None = None,
    time_budget: float | None = None,
    clock: Callable[[], datetime] = timezone.now,
) -> RelayRun:
    """Deliver what is due in `lane` (None: every channel and agency), batch by batch, until
    nothing is due or `time_budget` seconds have passed. Safe to run concurrently and repeatedly.
    `now` fixes the time (tests); otherwise each step reads `clock`."""
    channel = None if lane is None else (Channel.EMAIL if lane == LANE_EMAIL else Channel.WEBHOOK)
    size = min(batch_size or int(getattr(settings, "OUTBOX_RELAY_BATCH_SIZE", 100)), lease_capacity(channel))
    budget = float(getattr(settings, "OUTBOX_RELAY_TIME_BUDGET_SECONDS", 50.0)) if time_budget is None else time_budget
    worst = worst_case_seconds(channel)
    lease_seconds = lease().total_seconds()
    started = time.monotonic()
    run = RelayRun()
    context = DeliveryContext()

    def current() -> datetime:
        return now or clock()

    try:
        while True:
            if max_batches is not None and run.batches >= max_batches:
                run.more_due = True
                break
            if time.monotonic() - started >= budget:
                run.more_due = True
                break
            token, batch = _claim(now=current(), batch_size=size, lane=lane)
            if not batch:
                break
            if run.batches == 0:
                run.first_batch_full = len(batch) == size
            run.batches += 1
            lease_ends = time.monotonic() + lease_seconds
            outcomes: list[Outcome] = []
            last_flush = time.monotonic()
            held = [m.pk for m in batch]
            skipped: list[uuid.UUID] = []
            for index, message in enumerate(batch):
                if time.monotonic() - started >= budget:
                    skipped.extend(m.pk for m in batch[index:] if m.pk in held)
                    run.more_due = True
                    break
                if message.pk not in held:
                    continue
                if lane != LANE_WEBHOOKS_SLOW and message.agency_id in run.slow_agencies:
                    skipped.append(message.pk)  # the slow lane sends it
                    continue
                # The lease must still cover this attempt at its worst; if not, renew it.
                if time.monotonic() + worst + LEASE_MARGIN_SECONDS > lease_ends:
                    _record(token=token, outcomes=outcomes)
                    outcomes, last_flush = [], time.monotonic()
                    remaining = [m.pk for m in batch[index:] if m.pk in held]
                    renewed = _renew(token=token, ids=remaining, now=current())
                    held = [pk for pk in held if pk in renewed]
                    lease_ends = time.monotonic() + lease_seconds
                    if message.pk not in renewed:
                        continue
                outcome = outbox_send(message=message, context=context, now=current())
                outcomes.append(outcome)
                run.attempted += 1
                run.delivered += outcome.ok
                if message.channel == Channel.WEBHOOK and message.agency_id is not None:
                    if lane != LANE_WEBHOOKS_SLOW and _is_slow(outcome):
                        outbox_mark_slow(agency_id=message.agency_id, now=current(), reason=outcome.detail)
                        run.slow_agencies.add(message.agency_id)
                    elif lane == LANE_WEBHOOKS_SLOW and not _is_slow(outcome) and outcome.ok:
                        outbox_unmark_slow(agency_id=message.agency_id)
                if len(outcomes) >= FLUSH_MESSAGES or time.monotonic() - last_flush >= FLUSH_SECONDS:
                    _record(token=token, outcomes=outcomes)
                    outcomes, last_flush = [], time.monotonic()
            _record(token=token, outcomes=outcomes)
            _release(token=token, ids=skipped)
            context.close_mail()
    finally:
        context.close()
    return run


def outbox_relay(
    *,
    now: datetime | None = None,
    lane: str | None = None,
    batch_size: int | None = None,
    max_batches: int | None = None,
    time_budget: float | None = None,
) -> int:
    """Deliver what is due (see `outbox_relay_run`); returns how many were delivered."""
    return outbox_relay_run(
        now=now, lane=lane, batch_size=batch_size, max_batches=max_batches, time_budget=time_budget
    ).delivered


def outbox_requeue(*, message_id: uuid.UUID | str, now: datetime) -> bool:
    """Queue a message in a final status (dead, refused, cancelled, delivered) again, due now,
    with a fresh attempt budget; its delivery log is kept. False when it is pending already (or
    does not exist), or when the retention schedule has erased its payload (privacy: nothing is
    left to send). The event feed's redelivery calls this."""
    updated = (
        OutboxMessage.objects.filter(pk=message_id, status__in=REQUEUEABLE)
        .exclude(payload={})
        .update(
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
            leased_until=None,
            claim_token=None,
            attempts=0,
        )
    )
    if updated:
        channel = OutboxMessage.objects.filter(pk=message_id).values_list("channel", flat=True).first()
        transaction.on_commit(lambda: relay_kick(channel))
    return bool(updated)
