"""Webhook secret rotation with overlap: for 24 hours after a rotation both secrets sign (two `v1,`
signatures), so a receiver verifying with the `standardwebhooks` library and either secret accepts
every event; then only the new one. A rotating PUT with an Idempotency-Key is safe to retry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from agency_api.models import WebhookEndpoint
from outbox.services import outbox_relay, outbox_webhook

pytestmark = pytest.mark.django_db

BASE = "/api/v1/agency"


def send_event(agency) -> dict:  # type: ignore[no-untyped-def, type-arg]
    outbox_webhook(
        agency_id=agency.pk,
        event_type="clock.reminder",
        data={"reference": "OMB-2026-000001"},
        dedupe_key=f"rotation:{uuid.uuid4()}",
        now=timezone.now(),
    )
    outbox_relay(now=timezone.now())


def accepts(secret: str, request: dict) -> bool:  # type: ignore[type-arg]
    try:
        Webhook(secret).verify(request["body"], request["headers"])
    except WebhookVerificationError:
        return False
    return True


def put(caller, url: str, *, rotate: bool, key: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return caller.put(f"{BASE}/webhook", {"url": url, "rotate_secret": rotate}, format="json", **headers)


def test_both_secrets_sign_during_the_overlap_then_only_the_new_one(caller, agency, receiver):
    old = put(caller, receiver.url, rotate=False).json()["secret"]
    send_event(agency)
    assert accepts(old, receiver.requests[-1])
    assert len(receiver.requests[-1]["headers"]["webhook-signature"].split(" ")) == 1

    rotated = put(caller, receiver.url, rotate=True, key="rotate-1")
    assert rotated.status_code == 200, rotated.content
    new = rotated.json()["secret"]
    assert new != old
    overlap_ends = rotated.json()["previous_secret_expires_at"]
    assert overlap_ends is not None

    send_event(agency)
    during = receiver.requests[-1]
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    assert accepts(new, during) and accepts(old, during)  # a receiver on either secret keeps working

    WebhookEndpoint.objects.filter(agency=agency).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    send_event(agency)
    after = receiver.requests[-1]
    assert accepts(new, after) and not accepts(old, after)


def test_a_retried_rotation_answers_the_same_secret_and_rotates_nothing(caller, agency, receiver):
    put(caller, receiver.url, rotate=False)
    first = put(caller, receiver.url, rotate=True, key="rotate-once").json()
    endpoint = WebhookEndpoint.objects.get(agency=agency)
    previous = endpoint.previous_secret
    retry = put(caller, receiver.url, rotate=True, key="rotate-once").json()
    assert retry["secret"] == first["secret"]
    endpoint.refresh_from_db()
    assert endpoint.secret == first["secret"] and endpoint.previous_secret == previous
    another = put(caller, receiver.url, rotate=True, key="rotate-twice").json()
    assert another["secret"] != first["secret"]
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == first["secret"]  # the overlap now bridges the last two


def test_rotation_without_a_key_rotates_every_time(caller, agency, receiver):
    put(caller, receiver.url, rotate=False)
    one = put(caller, receiver.url, rotate=True).json()["secret"]
    two = put(caller, receiver.url, rotate=True).json()["secret"]
    assert one != two


def test_a_bad_idempotency_key_on_put_is_a_400(caller, receiver):
    response = put(caller, receiver.url, rotate=True, key="x" * 300)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_the_replaced_secret_is_stored_encrypted(caller, agency, receiver):
    old = put(caller, receiver.url, rotate=False).json()["secret"]
    put(caller, receiver.url, rotate=True, key="k")
    stored = WebhookEndpoint.objects.values_list("previous_secret_ciphertext", flat=True).get(agency=agency)
    assert stored and old not in stored and old.removeprefix("whsec_") not in stored
