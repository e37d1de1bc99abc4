"""Writes of the agency API: clients, the webhook endpoint, housekeeping. The agency's steps on a
case are the lifecycle's own services (complaints.services, tribunal.services)."""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AccessToken, Application, RefreshToken

from accounts.models import User
from agencies.models import Agency
from kernel.errors import Conflict, NotFound, ServiceError
from outbox.models import OutboxMessage, OutboxStatus
from outbox.services import outbox_requeue, outbox_webhook

from .idempotency import IDEMPOTENCY_TTL
from .models import ApiClient, IdempotencyRecord, WebhookEndpoint, new_webhook_secret

# --- clients ----------------------------------------------------------------------------------


def api_client_create(
    *, agency: Agency, name: str, now: datetime, created_by: User | None = None
) -> tuple[ApiClient, str]:
    """A new client-credentials client for `agency`. Returns the client and its secret: the
    secret is stored hashed and can never be shown again."""
    if not agency.active:
        raise ServiceError("This agency is not active.", field="agency")
    name = (name or "").strip() or f"{agency.slug} client"
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application(
            name=f"{agency.slug}: {name}"[:255],
            client_id=generate_client_id(),
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            hash_client_secret=True,
            skip_authorization=True,
        )
        application.save()
        client = ApiClient.objects.create(
            application=application, agency=agency, name=name[:200], created_at=now, created_by=created_by
        )
    return client, secret


def api_client_revoke(*, client_id: int, now: datetime, reason: str = "") -> ApiClient:
    """Revoke a client: its tokens stop working at once and it can get no new ones."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().select_related("application").get(pk=client_id)
        if client.revoked_at is not None:
            return client
        client.revoked_at = now
        client.revoked_reason = reason.strip()[:300]
        client.save(update_fields=["revoked_at", "revoked_reason"])
        application = client.application
        RefreshToken.objects.filter(application=application).delete()
        AccessToken.objects.filter(application=application).delete()
        # Nobody knows the new (hashed) secret: the token endpoint refuses the client from now on.
        application.client_secret = generate_client_secret()
        application.save(update_fields=["client_secret"])
    return client


# --- webhook endpoint -------------------------------------------------------------------------


def _allowed_private_kinds() -> set[str]:
    return {k.strip().lower() for k in getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", []) if k.strip()}


def address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not public ('loopback', 'private', 'link_local', 'reserved'), or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_kind(ip.ipv4_mapped)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "reserved"
    if ip.is_private or not ip.is_global:
        return "private"
    return None


def webhook_url_check(url: str) -> None:
    """Static checks at registration: HTTPS (http only to an allowed loopback), no credentials,
    and a literal IP address must be public unless allowed. Delivery re-checks every resolved
    address (DNS can change)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise ServiceError("Give a full URL, e.g. https://hooks.example.org/ombudsman.", field="url")
    if parts.username or parts.password:
        raise ServiceError("Do not put credentials in the URL.", field="url")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    kind = address_kind(ip) if ip is not None else ("loopback" if host == "localhost" else None)
    allowed = _allowed_private_kinds()
    if kind is not None and kind not in allowed:
        raise ServiceError(f"Webhooks cannot be delivered to {kind} addresses.", field="url")
    if parts.scheme != "https" and not (parts.scheme == "http" and kind == "loopback" and "loopback" in allowed):
        raise ServiceError("The webhook URL must use https.", field="url")


def webhook_secret_overlap() -> timedelta:
    """How long a replaced signing secret still signs after a rotation (24 hours by default)."""
    return timedelta(hours=float(getattr(settings, "WEBHOOK_SECRET_OVERLAP_HOURS", 24)))


def rotation_key_hash(*, client_id: int, key: str) -> str:
    return hashlib.sha256(f"{client_id}:{key}".encode()).hexdigest()


def webhook_endpoint_set(
    *,
    agency: Agency,
    url: str,
    now: datetime,
    rotate_secret: bool = False,
    rotation_key: str = "",
) -> tuple[WebhookEndpoint, str | None, bool]:
    """Register or change the agency's one endpoint (re-enabling it). Returns (endpoint, secret
    if new or rotated else None, created).

    A rotation keeps the replaced secret signing for `webhook_secret_overlap()` (both signatures
    in `webhook-signature`), so the receiver can switch without losing an event. `rotation_key`
    (a hash of the client and its Idempotency-Key) makes a rotating PUT safe to retry: the same key
    again answers the secret it issued, rotating nothing."""
    url = (url or "").strip()
    webhook_url_check(url)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(agency=agency).first()
        created = endpoint is None
        secret: str | None = None
        if endpoint is None:
            secret = new_webhook_secret()
            endpoint = WebhookEndpoint(agency=agency, created_at=now)
            endpoint.secret = secret
            endpoint.rotation_key = rotation_key
        elif rotate_secret and rotation_key and endpoint.rotation_key == rotation_key:
            secret = endpoint.secret  # a retry of the rotation that issued it
        elif rotate_secret:
            secret = new_webhook_secret()
            endpoint.previous_secret = endpoint.secret
            endpoint.previous_secret_expires_at = now + webhook_secret_overlap()
            endpoint.secret = secret
            endpoint.rotation_key = rotation_key
        endpoint.url = url
        endpoint.active = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.updated_at = now
        endpoint.save()
    return endpoint, secret, created


def webhook_endpoint_disable(*, endpoint_id: int, now: datetime, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now
    )


# --- housekeeping -----------------------------------------------------------------------------


def idempotency_records_purge(*, now: datetime, batch_size: int = 5000) -> int:
    """Delete Idempotency-Key records past their 24-hour life, in batches. Safe to run twice."""
    deleted = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_TTL).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]


# --- the event feed: redelivery and the test ping ---------------------------------------------

PING_EVENT = "ping"


def _active_endpoint(agency: Agency) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(agency=agency).first()
    if endpoint is None:
        raise NotFound("No webhook endpoint registered yet: PUT webhook with your HTTPS URL first.")
    if not endpoint.active:
        raise Conflict(
            "Your webhook endpoint is disabled"
            + (f" ({endpoint.disabled_reason})" if endpoint.disabled_reason else "")
            + ": PUT webhook again to re-enable it, then retry."
        )
    return endpoint


def webhook_test_send(*, agency: Agency, now: datetime) -> OutboxMessage:
    """Queue a signed `ping` event to the agency's endpoint through the outbox (delivered, retried
    and logged like every event, and listed in the event feed)."""
    _active_endpoint(agency)
    with transaction.atomic():
        message = outbox_webhook(
            agency_id=agency.pk,
            event_type=PING_EVENT,
            data={"agency": agency.slug, "message": "Test event: your endpoint receives and verifies webhooks."},
            dedupe_key=f"ping:{agency.pk}:{uuid.uuid4()}",
            now=now,
        )
    assert message is not None  # a fresh dedupe key is always written
    return message


def webhook_event_redeliver(*, agency: Agency, message_id: uuid.UUID, now: datetime) -> OutboxMessage:
    """Queue one of the agency's webhook events again, whatever became of it (delivered, dead,
    refused by the address guard, cancelled): due now, with a fresh attempt budget. The event
    keeps its id (`webhook-id`) and its delivery log."""
    _active_endpoint(agency)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id, agency=agency)
        if message.status == OutboxStatus.PENDING:
            raise Conflict(
                "This event is already queued for delivery (see next_attempt_at): there is nothing to redeliver yet."
            )
        outbox_requeue(message_id=message.pk, now=now)
        message.refresh_from_db()
    return message
