"""The outbox relay (outbox.services): drains without a fixed cap, reuses connections, commits
outcomes per batch, claims under a token and leases no more than it can send, re-checks its lease
per message, moves slow agencies to their own lane, refused deliveries can be queued again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agency_api.models import WebhookEndpoint
from benchmarks.receiver import Receiver
from outbox import services
from outbox.delivery import DeliveryContext
from outbox.models import DeliveryAttempt, OutboxMessage, OutboxStatus, SlowDestination
from outbox.services import (
    LANE_EMAIL,
    LANE_WEBHOOKS,
    LANE_WEBHOOKS_SLOW,
    _claim,
    _record,
    lease_capacity,
    outbox_email_row,
    outbox_relay,
    outbox_relay_run,
    outbox_requeue,
    outbox_send,
    outbox_webhook_row,
)
from tests.factories import AgencyFactory, SeniorOfficerFactory

pytestmark = pytest.mark.django_db

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class CountingBackend(EmailBackend):
    """locmem, counting how many connections were opened."""

    opened = 0

    def open(self) -> bool:
        CountingBackend.opened += 1
        return True


def _emails(n: int, now: Any) -> list[OutboxMessage]:
    rows = [
        outbox_email_row(to=f"p{i}@example.org", subject="s", body="b", topic="t", dedupe_key=f"m{i}", now=now)
        for i in range(n)
    ]
    return OutboxMessage.objects.bulk_create([r for r in rows if r is not None])


def _webhooks(agency: Any, n: int, now: Any, prefix: str = "w") -> list[OutboxMessage]:
    return OutboxMessage.objects.bulk_create(
        [
            outbox_webhook_row(
                agency_id=agency.pk, event_type="clock.reminder", data={"i": i}, dedupe_key=f"{prefix}{i}", now=now
            )
            for i in range(n)
        ]
    )


def _endpoint(agency: Any, url: str) -> WebhookEndpoint:
    now = timezone.now()
    return WebhookEndpoint.objects.create(agency=agency, url=url, secret=SECRET, created_at=now, updated_at=now)


def test_one_run_drains_everything_due_with_one_smtp_connection_per_batch(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_relay.CountingBackend"
    CountingBackend.opened = 0
    now = timezone.now()
    _emails(1_250, now)  # more than the old cap of 1,000 per run
    run = outbox_relay_run(now=now)
    assert run.delivered == 1_250 and len(mail.outbox) == 1_250
    assert OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).count() == 1_250
    assert DeliveryAttempt.objects.filter(succeeded=True).count() == 1_250
    assert CountingBackend.opened == run.batches  # one connection per batch, not per message
    assert run.batches == -(-1_250 // lease_capacity(None))


def test_outcomes_are_committed_per_batch_not_per_message(settings):
    now = timezone.now()
    _emails(40, now)
    with CaptureQueriesContext(connection) as queries:
        outbox_relay_run(now=now, lane=LANE_EMAIL, batch_size=20)
    # per batch: claim (select + update), attempts (one insert), delivered (one update), release;
    # 2 batches + the empty claim: far fewer than one write per message
    writes = [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(writes) <= 8, [q["sql"][:60] for q in writes]


def test_a_batch_leases_no_more_than_the_lease_covers_at_the_worst_case(settings):
    settings.OUTBOX_LEASE_SECONDS = 2 + 3 * 15  # three webhooks at connect 5 s + read 10 s
    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS = 5, 10
    assert lease_capacity("webhook") == 3
    now = timezone.now()
    _webhooks(AgencyFactory(), 10, now)
    token, batch = _claim(now=now, batch_size=lease_capacity("webhook"), lane=LANE_WEBHOOKS)
    assert len(batch) == 3
    leased = OutboxMessage.objects.filter(claim_token=token)
    assert leased.count() == 3 and all(m.leased_until == now + timedelta(seconds=47) for m in leased)


def test_an_outcome_is_never_written_onto_a_row_another_run_claimed(settings):
    now = timezone.now()
    [message] = _webhooks(AgencyFactory(), 1, now)
    token, [claimed] = _claim(now=now, batch_size=10)
    # The lease lapsed and another run claimed the row: its token replaced ours.
    other = uuid.uuid4()
    OutboxMessage.objects.filter(pk=message.pk).update(claim_token=other, leased_until=now + timedelta(minutes=5))
    outcome = services.Outcome(message=claimed, at=now, ok=True, status_code=200, detail="late", duration_ms=1)
    _record(token=token, outcomes=[outcome])
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.claim_token == other  # theirs to finish
    assert DeliveryAttempt.objects.filter(message=message).count() == 1  # the attempt is still logged


def test_the_lease_is_rechecked_before_each_message_and_renewed(settings, monkeypatch):
    """With a lease that covers one worst-case attempt, every further message renews it first;
    rows another run took meanwhile are left alone (never sent twice)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["loopback"]
    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS = 0.5, 0.5
    settings.OUTBOX_LEASE_SECONDS = services.LEASE_MARGIN_SECONDS + 1.0  # one message per lease
    renewals: list[int] = []
    taken: list[uuid.UUID] = []
    real_renew = services._renew

    def renew(**kwargs: Any) -> set[uuid.UUID]:
        renewals.append(len(kwargs["ids"]))
        if len(renewals) == 2:  # meanwhile another run took the last row
            taken.append(kwargs["ids"][-1])
            OutboxMessage.objects.filter(pk=taken[0]).update(claim_token=uuid.uuid4())
        return real_renew(**kwargs)

    monkeypatch.setattr(services, "_renew", renew)
    agency = AgencyFactory()
    with Receiver() as receiver:
        _endpoint(agency, receiver.url + "/hooks")
        messages = _webhooks(agency, 3, timezone.now())
        outbox_relay_run(lane=LANE_WEBHOOKS, batch_size=3, time_budget=30)
    assert renewals  # it renewed before sending past the first lease
    assert taken and str(taken[0]) not in receiver.ids()
    assert sorted(receiver.ids()) == sorted(str(m.pk) for m in messages if m.pk != taken[0])


def test_one_connection_per_endpoint_for_a_run(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["loopback"]
    agency = AgencyFactory()
    with Receiver() as receiver:
        _endpoint(agency, receiver.url + "/hooks")
        _webhooks(agency, 30, timezone.now())
        assert outbox_relay(lane=LANE_WEBHOOKS) == 30
    assert len(receiver.deliveries) == 30
    assert len({d["port"] for d in receiver.deliveries}) == 1  # one kept-alive TCP connection


def test_a_slow_agency_moves_to_the_slow_lane_and_does_not_delay_the_others(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["loopback"]
    settings.OUTBOX_SLOW_SECONDS = 0.2
    slow, fast = AgencyFactory(), AgencyFactory()
    now = timezone.now()
    with Receiver() as receiver:
        receiver.delays["/slow"] = 0.4
        _endpoint(slow, receiver.url + "/slow")
        _endpoint(fast, receiver.url + "/fast")
        slow_ids = {str(m.pk) for m in _webhooks(slow, 10, now - timedelta(seconds=1), "s")}  # first in line
        fast_ids = {str(m.pk) for m in _webhooks(fast, 10, now, "f")}
        run = outbox_relay_run(lane=LANE_WEBHOOKS)
        # One slow answer marks the agency; its other messages are left to the slow lane.
        assert run.slow_agencies == {slow.pk}
        assert SlowDestination.objects.filter(agency_id=slow.pk).exists()
        assert fast_ids <= set(receiver.ids())
        assert len(slow_ids & set(receiver.ids())) == 1
        # The normal lane no longer sees them; the slow lane delivers them.
        assert outbox_relay(lane=LANE_WEBHOOKS) == 0
        assert outbox_relay(lane=LANE_WEBHOOKS_SLOW) == 9
    assert sorted(receiver.ids()) == sorted(slow_ids | fast_ids)  # each once


def test_a_fast_answer_in_the_slow_lane_ends_the_mark(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["loopback"]
    agency = AgencyFactory()
    now = timezone.now()
    services.outbox_mark_slow(agency_id=agency.pk, now=now, reason="test")
    with Receiver() as receiver:
        _endpoint(agency, receiver.url + "/hooks")
        _webhooks(agency, 2, now)
        assert outbox_relay(lane=LANE_WEBHOOKS) == 0
        assert outbox_relay(lane=LANE_WEBHOOKS_SLOW) == 2
    assert not SlowDestination.objects.filter(agency_id=agency.pk).exists()


def test_a_refused_delivery_can_be_queued_again_and_then_delivered(settings):
    agency = AgencyFactory()
    now = timezone.now()
    with Receiver() as receiver:
        _endpoint(agency, receiver.url + "/hooks")  # plain http to loopback: refused by default
        [message] = _webhooks(agency, 1, now)
        outbox_relay(now=now)
        message.refresh_from_db()
        assert message.status == OutboxStatus.REFUSED and "refused" in message.last_error
        assert receiver.deliveries == []
        assert outbox_relay(now=now) == 0  # not retried on its own
        settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["loopback"]  # the endpoint is fixed
        assert outbox_requeue(message_id=message.pk, now=now) is True
        assert outbox_requeue(message_id=message.pk, now=now) is False  # pending already
        assert outbox_relay(now=now) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("succeeded", flat=True)) == [False, True]


def test_the_time_budget_stops_a_run_and_gives_back_what_it_did_not_send(settings):
    now = timezone.now()
    _emails(30, now)
    run = outbox_relay_run(now=now, time_budget=0)
    assert run.more_due and run.delivered == 0
    assert not OutboxMessage.objects.filter(leased_until__isnull=False).exists()


def test_the_single_send_path_writes_nothing(settings):
    now = timezone.now()
    [message] = _emails(1, now)
    outcome = outbox_send(message=message, context=DeliveryContext(), now=now)
    assert outcome.ok and outcome.detail == "sent"
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and not DeliveryAttempt.objects.exists()


def test_officers_see_the_slow_lane_in_the_admin(client):
    services.outbox_mark_slow(agency_id=4242, now=timezone.now(), reason="Timeout: read timed out")
    client.force_login(SeniorOfficerFactory(is_superuser=True))
    page = client.get("/admin/outbox/slowdestination/")
    assert page.status_code == 200 and "4242" in page.content.decode() and "read timed out" in page.content.decode()
    assert client.get("/admin/outbox/slowdestination/add/").status_code == 403
