"""Writes of the agency API: clients, the webhook endpoint, and the agency's steps on a referral
(acknowledge, mark the record disputed, respond). Each takes `now` and an Actor."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AccessToken, Application, RefreshToken

from accounts.models import User
from agencies.models import Agency
from citizens.services import record_mark_disputed
from complaints.actors import Actor
from complaints.models import AgencyOutcome, AgencyResponse, CaseEvent, Complaint, Visibility
from complaints.services import (
    _check_party,
    case_event_record,
    complaint_open_investigation,
    complaint_record_agency_response,
)
from complaints.transitions import Status
from ombudsman.errors import Conflict, ServiceError

from .models import ApiClient, WebhookEndpoint, new_webhook_secret

ACKNOWLEDGED = "agency_acknowledged"
FLAGGED_DISPUTED = "record_marked_disputed"


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


def webhook_endpoint_set(
    *, agency: Agency, url: str, now: datetime, rotate_secret: bool = False
) -> tuple[WebhookEndpoint, str | None, bool]:
    """Register or change the agency's one endpoint (re-enabling it). Returns (endpoint, secret
    if new or rotated else None, created)."""
    url = (url or "").strip()
    webhook_url_check(url)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(agency=agency).first()
        created = endpoint is None
        secret: str | None = None
        if endpoint is None:
            secret = new_webhook_secret()
            endpoint = WebhookEndpoint(agency=agency, secret=secret, created_at=now)
        elif rotate_secret:
            secret = new_webhook_secret()
            endpoint.secret = secret
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


# --- referrals --------------------------------------------------------------------------------


def referred_complaints() -> QuerySet[Complaint]:
    """Cases the ombudsman has referred (unscoped: AgencyAPIView filters by respondent)."""
    referred = CaseEvent.objects.filter(complaint=OuterRef("pk"), kind="refer")
    return Complaint.objects.filter(Exists(referred))


def referrals_for_agency(agency: Agency) -> QuerySet[Complaint]:
    """Cases currently with `agency` as respondent that the ombudsman has referred to it."""
    return referred_complaints().filter(respondent=agency)


def _meet_clock(*, complaint: Complaint, obligation: str, actor: Actor, now: datetime) -> None:
    """Meet the agency's clock for `obligation` if the referral started one (rules decide which)."""
    from clocks.models import Clock
    from clocks.services import clock_meet

    if Clock.objects.filter(complaint=complaint, obligation=obligation, agency_id=complaint.respondent_id).exists():
        clock_meet(
            complaint_id=complaint.pk, obligation=obligation, now=now, actor=actor, agency_id=complaint.respondent_id
        )


def _agency_step(
    *, complaint_id: int, actor: Actor, now: datetime, kind: str, message: str, data: dict[str, Any] | None = None
) -> tuple[Complaint, CaseEvent]:
    """Lock the case, check it is the agency's and awaiting it, and refuse a repeat."""
    complaint = Complaint.objects.select_for_update().select_related("citizen").get(pk=complaint_id)
    _check_party(complaint, actor)
    if complaint.status != Status.REFERRED:
        raise Conflict(
            f"The case is {complaint.status.replace('_', ' ')}; this step is open only while it is referred.",
            field="status",
        )
    last_referral = complaint.events.filter(kind="refer").order_by("-created_at", "-id").first()
    done = complaint.events.filter(kind=kind)
    if last_referral is not None:
        done = done.filter(id__gt=last_referral.pk)
    if done.exists():
        raise Conflict("Already done for this referral.", field="status", code="already_done")
    complaint.save(update_fields=["updated_at"])
    event = case_event_record(
        complaint=complaint, actor=actor, kind=kind, now=now, message=message, data=data, visibility=Visibility.PARTIES
    )
    return complaint, event


def referral_acknowledge(*, complaint_id: int, actor: Actor, now: datetime) -> CaseEvent:
    """The agency confirms it received the referral; meets the acknowledgement clock."""
    with transaction.atomic():
        complaint, event = _agency_step(
            complaint_id=complaint_id,
            actor=actor,
            now=now,
            kind=ACKNOWLEDGED,
            message="The agency acknowledged the referral.",
        )
        _meet_clock(complaint=complaint, obligation="acknowledge", actor=actor, now=now)
    return event


def referral_flag_disputed(*, complaint_id: int, actor: Actor, now: datetime) -> CaseEvent:
    """The agency marks the record as disputed (restriction under review); meets that clock."""
    with transaction.atomic():
        complaint, event = _agency_step(
            complaint_id=complaint_id,
            actor=actor,
            now=now,
            kind=FLAGGED_DISPUTED,
            message="The agency marked the record as disputed while it reviews it.",
        )
        if complaint.blacklist_entry_id is not None:
            record_mark_disputed(entry_id=complaint.blacklist_entry_id, now=now, actor=actor)
        _meet_clock(complaint=complaint, obligation="mark_disputed", actor=actor, now=now)
    return event


def referral_respond(
    *,
    complaint_id: int,
    actor: Actor,
    outcome: str,
    explanation: str,
    now: datetime,
    corrections: list[dict[str, Any]] | None = None,
    scoring_criteria: list[dict[str, Any]] | None = None,
) -> AgencyResponse:
    """Record the structured answer and move the case on: a `verified` answer goes to
    investigation (the ombudsman checks it); corrections and deletions go to the citizen to
    confirm; `needs_information` and `misdirected` go back to the case officer."""
    with transaction.atomic():
        response = complaint_record_agency_response(
            complaint_id=complaint_id,
            actor=actor,
            outcome=outcome,
            explanation=explanation,
            now=now,
            corrections=corrections,
            scoring_criteria=scoring_criteria,
        )
        # The respond (and acknowledge) clocks are met by the transition itself (clocks_on_transition).
        if outcome == AgencyOutcome.VERIFIED:
            complaint_open_investigation(
                complaint_id=complaint_id,
                actor=Actor.system(),
                now=now,
                reason="The agency says the record is accurate; the ombudsman will check that independently.",
            )
    return response


# --- housekeeping -----------------------------------------------------------------------------


def idempotency_records_purge(*, now: datetime, batch_size: int = 5000) -> int:
    """Delete Idempotency-Key records past their 24-hour life, in batches. Safe to run twice."""
    from .base import IDEMPOTENCY_TTL
    from .models import IdempotencyRecord

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
