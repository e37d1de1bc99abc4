"""Webhook delivery for the outbox's "webhook" channel, signed per the Standard Webhooks spec.

    webhook-id:        the outbox message id (the same on every retry)
    webhook-timestamp: Unix seconds of this attempt
    webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the
                       base64-decoded part of the endpoint's `whsec_` secret>

Retries and backoff are the outbox's (outbox.services: exponential, more than a day). A 410 answer
disables the endpoint; no active endpoint cancels the message with the reason. SSRF guard: the host
is resolved and every address must be public (settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES lists the
private kinds allowed, e.g. ["loopback"] in tests); the connection goes to the checked address.
A destination the guard refuses leaves the message REFUSED (nothing sent; queued again by a
redelivery once the endpoint is fixed). Connections are kept for the relay run: one pool per
endpoint (outbox.delivery.DeliveryContext). WEBHOOK_CA_BUNDLE (development only) trusts a private CA.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils import timezone

from outbox.delivery import DeliveryContext, DeliveryError, DeliveryResult, deliverer
from outbox.models import OutboxMessage, OutboxStatus

from .models import WEBHOOK_SECRET_PREFIX, WebhookEndpoint
from .services import _allowed_private_kinds, address_kind, webhook_endpoint_disable

USER_AGENT = "Ombudsman-Webhooks/1.0"
MAX_RESPONSE_BYTES = 4096


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(*, secret: str, msg_id: str, timestamp: str, body: bytes, signature_header: str) -> bool:
    """What a receiver does (used by the tests and shown in the docs)."""
    expected = sign(secret=secret, msg_id=msg_id, timestamp=int(timestamp), body=body).split(",", 1)[1]
    for part in signature_header.split():
        version, _, sig = part.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return True
    return False


def _resolve_checked(host: str, port: int) -> str:
    """One public (or explicitly allowed) address of `host`, or a permanent DeliveryError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc}") from exc
    allowed = _allowed_private_kinds()
    addresses = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        kind = address_kind(ip)
        if kind is not None and kind not in allowed:
            raise DeliveryError(f"refused: {host} resolves to a {kind} address ({ip})", refused=True)
        addresses.append((kind, str(ip)))
    if not addresses:
        raise DeliveryError(f"cannot resolve {host}")
    return addresses[0][1]


def _cancel(message: OutboxMessage, reason: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.CANCELLED, last_error=reason, leased_until=None, claim_token=None
    )


@deliverer("webhook")
def deliver_webhook(message: OutboxMessage, context: DeliveryContext) -> DeliveryResult:
    agency_id = message.agency_id
    endpoint_key = ("webhook-endpoint", agency_id)
    endpoint = (
        context.remember(endpoint_key, lambda: WebhookEndpoint.objects.filter(agency_id=agency_id, active=True).first())
        if agency_id is not None
        else None
    )
    if endpoint is None:
        reason = "cancelled: the agency has no active webhook endpoint"
        _cancel(message, reason)
        raise DeliveryError(reason, permanent=True)

    parts = urlsplit(endpoint.url)
    host = parts.hostname or ""
    scheme = parts.scheme
    port = parts.port or (443 if scheme == "https" else 80)
    plain_http_ok = scheme == "http" and "loopback" in _allowed_private_kinds()  # tests only
    if scheme != "https" and not plain_http_ok:
        raise DeliveryError("refused: webhook URLs must use https", refused=True)
    ip = _resolve_checked(host, port)
    if scheme != "https" and address_kind(ipaddress.ip_address(ip)) != "loopback":
        raise DeliveryError("refused: plain http is allowed only to loopback in tests", refused=True)

    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode()
    msg_id = str(message.pk)
    timestamp = int(time.time())
    host_header = parts.netloc.rsplit("@", 1)[-1]
    headers = {
        "Host": host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        # During a rotation's overlap both secrets sign: `v1,<new> v1,<old>` (Standard Webhooks).
        "webhook-signature": " ".join(
            sign(secret=key, msg_id=msg_id, timestamp=timestamp, body=body)
            for key in endpoint.signing_secrets(timezone.now())
        ),
    }
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    timeout = urllib3.Timeout(
        connect=float(getattr(settings, "WEBHOOK_CONNECT_TIMEOUT_SECONDS", 5.0)),
        read=float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10.0)),
    )

    def new_pool() -> urllib3.HTTPConnectionPool:
        # One pool (one kept-alive connection) per endpoint for the whole relay run.
        if scheme == "https":
            return urllib3.HTTPSConnectionPool(
                ip,
                port,
                maxsize=1,
                timeout=timeout,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                ca_certs=getattr(settings, "WEBHOOK_CA_BUNDLE", "") or certifi.where(),
                server_hostname=host,
                assert_hostname=host,
            )
        return urllib3.HTTPConnectionPool(ip, port, maxsize=1, timeout=timeout, retries=False)

    pool_key = ("webhook", scheme, host, ip, port)
    pool = context.pool(pool_key, new_pool)
    try:
        response = pool.urlopen("POST", path, body=body, headers=headers, redirect=False, preload_content=False)
        reusable = False
        try:
            snippet = response.read(MAX_RESPONSE_BYTES, decode_content=False)
            reusable = not response.read(1, decode_content=False)  # a longer answer: not kept
        finally:
            if reusable:
                response.release_conn()
            else:
                response.close()
                context.drop_pool(pool_key)
    except urllib3.exceptions.HTTPError as exc:
        context.drop_pool(pool_key)
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    status = response.status
    detail = f"{status} from {host}: {snippet[:300].decode(errors='replace')}"
    if 200 <= status < 300:
        return DeliveryResult(status_code=status, detail=detail)
    if status == 410:
        webhook_endpoint_disable(endpoint_id=endpoint.pk, now=timezone.now(), reason=f"410 Gone for {message.pk}")
        context.forget(endpoint_key)
        raise DeliveryError(f"{detail} (endpoint disabled)", permanent=True, status_code=status)
    raise DeliveryError(detail, status_code=status)
