"""The event feed: every webhook event meant for the caller's agency, delivered or not, with its
delivery attempts; redelivery (dead and guard-refused events included, scoped to the agency); the
signed test ping through the outbox."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agency_api.services import webhook_endpoint_disable, webhook_endpoint_set
from outbox.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from outbox.services import outbox_email, outbox_relay, outbox_webhook
from tests.agency_api.conftest import make_caller, standard_webhooks_verify
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/agency"


def event(agency, event_type="clock.reminder", *, now=None, **data):  # type: ignore[no-untyped-def]
    message = outbox_webhook(
        agency_id=agency.pk,
        event_type=event_type,
        data=data or {"reference": "OMB-2026-000001"},
        dedupe_key=f"test:{uuid.uuid4()}",
        now=now or timezone.now(),
    )
    assert message is not None
    return message


def test_feed_lists_every_event_of_the_agency_whatever_its_status(caller, agency):
    other = AgencyFactory()
    statuses = [OutboxStatus.PENDING, OutboxStatus.DELIVERED, OutboxStatus.DEAD, OutboxStatus.REFUSED]
    mine = []
    for status in [*statuses, OutboxStatus.CANCELLED]:
        message = event(agency)
        OutboxMessage.objects.filter(pk=message.pk).update(status=status)
        mine.append(message)
    event(other)  # another agency's event
    outbox_email(to="x@example.org", subject="s", body="b", topic="status", dedupe_key="mail", now=timezone.now())
    response = caller.get(f"{BASE}/events/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["id"] for r in rows} == {str(m.pk) for m in mine}
    assert {r["status"] for r in rows} == {*statuses, OutboxStatus.CANCELLED}
    row = rows[0]
    assert set(row) >= {"id", "type", "status", "attempts", "payload", "delivery_attempts", "redeliver_url"}
    assert row["payload"]["type"] == row["type"] == "clock.reminder"
    assert row["redeliver_url"].endswith(f"/api/v1/agency/events/{row['id']}/redeliver")


def test_feed_shows_each_delivery_attempt(caller, agency, receiver):
    webhook_endpoint_set(agency=agency, url=receiver.url, now=timezone.now())
    message = event(agency)
    receiver.answers = [503]
    outbox_relay(now=timezone.now())
    outbox_relay(now=timezone.now() + timedelta(minutes=5))
    row = caller.get(f"{BASE}/events/{message.pk}/").json()
    assert row["status"] == "delivered" and row["attempts"] == 2
    assert [(a["succeeded"], a["status_code"]) for a in row["delivery_attempts"]] == [(False, 503), (True, 200)]
    assert row["next_attempt_at"] is None and row["delivered_at"] is not None


def test_feed_filters_by_type_since_and_status(caller, agency):
    now = timezone.now()
    old = event(agency, "referral.created", now=now - timedelta(days=3))
    new = event(agency, "clock.missed", now=now)
    OutboxMessage.objects.filter(pk=old.pk).update(status=OutboxStatus.DEAD)

    def ids(**params):  # type: ignore[no-untyped-def]
        response = caller.get(f"{BASE}/events/", params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids(type="referral.created") == [str(old.pk)]
    assert ids(since=(now - timedelta(days=1)).isoformat()) == [str(new.pk)]
    assert ids(since="2026-01-01T00:00:00+08:00") == [str(new.pk), str(old.pk)]  # newest first
    assert ids(status="dead") == [str(old.pk)]
    bad = caller.get(f"{BASE}/events/", {"since": "yesterday"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"] == "since"


def test_feed_query_count_does_not_grow_with_events(caller, agency):
    for _ in range(3):
        DeliveryAttempt.objects.create(message=event(agency), attempted_at=timezone.now(), succeeded=False)
    with CaptureQueriesContext(connection) as few:
        assert len(caller.get(f"{BASE}/events/").json()["results"]) == 3
    for _ in range(12):
        DeliveryAttempt.objects.create(message=event(agency), attempted_at=timezone.now(), succeeded=False)
    with CaptureQueriesContext(connection) as many:
        assert len(caller.get(f"{BASE}/events/").json()["results"]) == 15
    assert len(many) == len(few)


def test_another_agencys_event_is_a_404_everywhere(caller):
    theirs = event(AgencyFactory())
    OutboxMessage.objects.filter(pk=theirs.pk).update(status=OutboxStatus.DEAD)
    assert caller.get(f"{BASE}/events/{theirs.pk}/").status_code == 404
    response = caller.post(f"{BASE}/events/{theirs.pk}/redeliver")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert OutboxMessage.objects.get(pk=theirs.pk).status == OutboxStatus.DEAD
    assert caller.post(f"{BASE}/events/{uuid.uuid4()}/redeliver").status_code == 404
    assert caller.post(f"{BASE}/events/not-a-uuid/redeliver").status_code == 404


def test_a_guard_refused_event_is_redelivered_from_the_feed(caller, agency, receiver, settings):
    _, secret, _ = webhook_endpoint_set(agency=agency, url=receiver.url, now=timezone.now())
    message = event(agency, "referral.created")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = []  # the guard now refuses the loopback endpoint
    outbox_relay(now=timezone.now())
    refused = caller.get(f"{BASE}/events/{message.pk}/").json()
    assert refused["status"] == "refused" and receiver.requests == []
    assert refused["last_error"].startswith("refused:")

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["loopback"]  # the endpoint is fixed
    response = caller.post(f"{BASE}/events/{message.pk}/redeliver", HTTP_IDEMPOTENCY_KEY="redeliver-1")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending" and response.json()["attempts"] == 0
    assert len(response.json()["delivery_attempts"]) == 1  # the refused attempt stays in the log
    outbox_relay(now=timezone.now())
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["headers"]["webhook-id"] == str(message.pk)
    assert standard_webhooks_verify(secret=secret or "", headers=request["headers"], body=request["body"])
    assert caller.get(f"{BASE}/events/{message.pk}/").json()["status"] == "delivered"


def test_dead_and_delivered_events_can_be_redelivered_but_a_pending_one_is_a_409(caller, agency, receiver):
    webhook_endpoint_set(agency=agency, url=receiver.url, now=timezone.now())
    dead, delivered, pending = event(agency), event(agency), event(agency)
    OutboxMessage.objects.filter(pk=dead.pk).update(status=OutboxStatus.DEAD, attempts=16)
    OutboxMessage.objects.filter(pk=delivered.pk).update(status=OutboxStatus.DELIVERED, attempts=1)
    for message in (dead, delivered):
        response = caller.post(f"{BASE}/events/{message.pk}/redeliver")
        assert response.status_code == 202, response.content
        assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.PENDING
    conflict = caller.post(f"{BASE}/events/{pending.pk}/redeliver")
    assert conflict.status_code == 409
    assert "already queued" in conflict.json()["detail"]


def test_redelivery_needs_an_active_endpoint(caller, agency, receiver):
    message = event(agency)
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.CANCELLED)
    none = caller.post(f"{BASE}/events/{message.pk}/redeliver")
    assert none.status_code == 404 and "PUT webhook" in none.json()["detail"]
    endpoint, _, _ = webhook_endpoint_set(agency=agency, url=receiver.url, now=timezone.now())
    webhook_endpoint_disable(endpoint_id=endpoint.pk, now=timezone.now(), reason="410 Gone")
    disabled = caller.post(f"{BASE}/events/{message.pk}/redeliver")
    assert disabled.status_code == 409 and "re-enable" in disabled.json()["detail"]
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.CANCELLED


def test_webhook_test_sends_a_signed_ping_through_the_outbox(caller, agency, receiver):
    _, secret, _ = webhook_endpoint_set(agency=agency, url=receiver.url, now=timezone.now())
    response = caller.post(f"{BASE}/webhook/test", HTTP_IDEMPOTENCY_KEY="ping-1")
    assert response.status_code == 202, response.content
    ping = response.json()
    assert ping["type"] == "ping" and ping["status"] == "pending"
    again = caller.post(f"{BASE}/webhook/test", HTTP_IDEMPOTENCY_KEY="ping-1")  # a retry queues nothing more
    assert again.json()["id"] == ping["id"] and again["Idempotent-Replayed"] == "true"
    assert OutboxMessage.objects.filter(agency=agency, topic="ping").count() == 1
    outbox_relay(now=timezone.now())
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert json.loads(request["body"])["type"] == "ping"
    assert standard_webhooks_verify(secret=secret or "", headers=request["headers"], body=request["body"])
    assert caller.get(f"{BASE}/events/", {"type": "ping"}).json()["results"][0]["status"] == "delivered"


def test_webhook_test_without_an_endpoint_is_a_404(caller, agency):
    response = caller.post(f"{BASE}/webhook/test")
    assert response.status_code == 404 and "PUT webhook" in response.json()["detail"]
    assert not OutboxMessage.objects.filter(agency=agency).exists()


def test_feed_needs_a_token():  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    response = APIClient().get(f"{BASE}/events/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_feed_operations_are_in_the_schema_with_examples(caller):
    schema = caller.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    feed = paths[f"{BASE}/events/"]["get"]
    assert {p["name"] for p in feed["parameters"]} >= {"type", "since", "status", "cursor"}
    assert "examples" in feed["responses"]["200"]["content"]["application/json"]
    redeliver = paths[f"{BASE}/events/{{id}}/redeliver"]["post"]
    assert {"202", "404", "409", "429"} <= set(redeliver["responses"])
    assert "examples" in redeliver["responses"]["202"]["content"]["application/json"]
    assert "application/problem+json" in redeliver["responses"]["404"]["content"]
    ping = paths[f"{BASE}/webhook/test"]["post"]
    assert {"202", "404", "409"} <= set(ping["responses"])
    assert "Event feed" in schema["info"]["description"]


def test_feed_is_throttled_like_every_agency_call(settings, agency):  # type: ignore[no-untyped-def]
    settings.AGENCY_API_THROTTLE_RATE = "2/minute"
    caller = make_caller(agency)
    codes = [caller.get(f"{BASE}/events/").status_code for _ in range(3)]
    assert codes[-1] == 429
