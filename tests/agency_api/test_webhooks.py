"""Webhook delivery through the outbox: Standard Webhooks signature, same id on retries, 410
disables, no endpoint cancels, SSRF guard, timeouts, backoff of more than a day, delivery log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agency_api.models import WebhookEndpoint
from agency_api.webhooks import sign, verify
from outbox.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from outbox.services import MAX_ATTEMPTS, backoff, outbox_relay, outbox_webhook
from tests.agency_api.conftest import standard_webhooks_verify
from tests.factories import AgencyFactory, SeniorOfficerFactory

pytestmark = pytest.mark.django_db


def _endpoint(agency, url: str, secret: str = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") -> WebhookEndpoint:
    now = timezone.now()
    return WebhookEndpoint.objects.create(agency=agency, url=url, secret=secret, created_at=now, updated_at=now)


def _event(agency, key: str = "e1") -> OutboxMessage:
    message = outbox_webhook(
        agency_id=agency.pk,
        event_type="clock.reminder",
        data={"reference": "OMB-2026-000001", "obligation": "respond"},
        dedupe_key=key,
        now=timezone.now(),
    )
    assert message is not None
    return message


def test_standard_webhooks_reference_vector():
    # The example from the Standard Webhooks specification (svix test vector).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    timestamp = 1614265330
    body = b'{"test": 2432232314}'
    assert sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )
    assert verify(
        secret=secret,
        msg_id=msg_id,
        timestamp=str(timestamp),
        body=body,
        signature_header="v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    )
    assert not verify(
        secret=secret,
        msg_id=msg_id,
        timestamp=str(timestamp),
        body=body + b" ",
        signature_header="v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    )


def test_delivery_is_signed_and_logged(receiver):
    agency = AgencyFactory()
    endpoint = _endpoint(agency, receiver.url)
    message = _event(agency)
    assert outbox_relay(now=timezone.now()) >= 1
    [request] = receiver.requests
    assert request["path"] == "/hooks/ombudsman"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["webhook-id"] == str(message.pk)
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert standard_webhooks_verify(secret=endpoint.secret, headers=request["headers"], body=request["body"])
    payload = json.loads(request["body"])
    assert payload["type"] == "clock.reminder" and payload["data"]["obligation"] == "respond"
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.succeeded and attempt.status_code == 200


def test_retry_keeps_the_same_webhook_id(receiver):
    agency = AgencyFactory()
    _endpoint(agency, receiver.url)
    receiver.answers = [503]
    message = _event(agency)
    now = timezone.now()
    outbox_relay(now=now)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at > now
    outbox_relay(now=message.next_attempt_at + timedelta(seconds=1))
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    ids = [{k.lower(): v for k, v in r["headers"].items()}["webhook-id"] for r in receiver.requests]
    assert ids == [str(message.pk), str(message.pk)]
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("status_code", flat=True)) == [503, 200]


def test_backoff_spans_more_than_a_day():
    total = sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert total >= timedelta(days=1)
    assert backoff(2) == 2 * backoff(1)  # exponential


def test_410_disables_the_endpoint_and_later_events_are_cancelled(receiver):
    agency = AgencyFactory()
    endpoint = _endpoint(agency, receiver.url)
    receiver.answers = [410]
    first = _event(agency, "a")
    outbox_relay(now=timezone.now())
    first.refresh_from_db()
    endpoint.refresh_from_db()
    assert first.status == OutboxStatus.DEAD
    assert not endpoint.active and endpoint.disabled_at is not None and "410" in endpoint.disabled_reason
    second = _event(agency, "b")
    outbox_relay(now=timezone.now())
    second.refresh_from_db()
    assert second.status == OutboxStatus.CANCELLED
    assert len(receiver.requests) == 1


def test_no_endpoint_cancels_with_a_reason_not_a_retry_loop(db):
    agency = AgencyFactory()
    message = _event(agency)
    outbox_relay(now=timezone.now())
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED
    assert "no active webhook endpoint" in message.last_error
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:9/x", []),  # loopback not allowed (and http)
        ("https://127.0.0.1:9/x", []),
        ("https://localhost:9/x", []),  # a name resolving to loopback
        ("https://10.1.2.3/x", ["loopback"]),  # private, even when loopback is allowed
        ("https://169.254.169.254/latest/meta-data", ["loopback"]),  # link-local (cloud metadata)
        ("https://[::ffff:192.168.0.1]/x", ["loopback"]),  # IPv4-mapped private
        ("http://hooks.example.org/x", []),  # plain http to anywhere
    ],
)
def test_ssrf_guard_refuses_without_connecting(settings, receiver, url, allowed):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = allowed
    agency = AgencyFactory()
    _endpoint(agency, url)
    message = _event(agency)
    outbox_relay(now=timezone.now())
    message.refresh_from_db()
    # Refused, not dead: nothing was sent, and a redelivery (once the endpoint is fixed) can queue it again.
    assert message.status == OutboxStatus.REFUSED, message.last_error
    assert "refused" in message.last_error
    assert receiver.requests == []


def test_timeout_is_a_retryable_failure(receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.0
    agency = AgencyFactory()
    _endpoint(agency, receiver.url)
    message = _event(agency)
    outbox_relay(now=timezone.now())
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert "Timeout" in message.last_error


def test_delivery_log_visible_to_officers_in_admin(receiver, client):
    agency = AgencyFactory()
    _endpoint(agency, receiver.url)
    receiver.answers = [500]
    message = _event(agency)
    outbox_relay(now=timezone.now())
    officer = SeniorOfficerFactory(is_superuser=True)
    client.force_login(officer)
    page = client.get(f"/admin/outbox/outboxmessage/{message.pk}/change/")
    assert page.status_code == 200
    assert "500 from 127.0.0.1" in page.content.decode()


def _self_signed(tmp_path):  # type: ignore[no-untyped-def]
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_https_certificates_are_verified(receiver, tmp_path):
    """An endpoint with a certificate no public CA signed is not trusted (a transient failure,
    retried: the agency may fix its certificate)."""
    import ssl

    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    agency = AgencyFactory()
    _endpoint(agency, receiver.url.replace("http://", "https://"))
    message = _event(agency)
    outbox_relay(now=timezone.now())
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert "SSL" in message.last_error or "certificate" in message.last_error.lower(), message.last_error
    assert receiver.requests == []
