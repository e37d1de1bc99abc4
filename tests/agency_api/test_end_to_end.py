"""End to end over real HTTP: the API served by a live server, a webhook receiver on loopback.

An agency's client (created with the management command) gets a token at /o/token/, registers its
webhook, receives `referral.created` (the outbox relayed), verifies the Standard Webhooks
signature, acknowledges, flags the record as disputed and answers `corrected`; the case and its
clocks move accordingly."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from citizens.models import RecordStatus
from clocks.models import Clock, ClockStatus
from complaints.models import AgencyResponse, Complaint
from outbox.models import OutboxMessage, OutboxStatus
from outbox.services import outbox_relay
from tests.agency_api.conftest import standard_webhooks_verify
from tests.factories import AgencyFactory, make_complaint


# serialized_rollback: its flush then leaves no re-created content types for the next
# serialized test (tests/clocks/test_lock_order.py failed after it otherwise).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agency_works_a_referral_over_http(live_server, receiver):
    agency = AgencyFactory()
    out = io.StringIO()
    call_command("create_agency_client", agency.slug, stdout=out)
    credentials = json.loads(out.getvalue())
    base = live_server.url
    http = requests.Session()

    token = http.post(
        f"{base}/o/token/",
        data={"grant_type": "client_credentials"},
        auth=(credentials["client_id"], credentials["client_secret"]),
        timeout=10,
    )
    assert token.status_code == 200, token.text
    assert token.json()["expires_in"] == 3600
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    api = f"{base}/api/v1/agency"

    hook = http.put(f"{api}/webhook", json={"url": receiver.url}, timeout=10)
    assert hook.status_code == 201, hook.text
    secret = hook.json()["secret"]

    # The ombudsman refers a case to the agency; the outbox relay delivers the webhook.
    complaint = make_complaint(status="referred", entry_kwargs={"agency": agency}, now=timezone.now())
    outbox_relay(now=timezone.now())
    events = [json.loads(r["body"]) for r in receiver.requests]
    created = [e for e, r in zip(events, receiver.requests, strict=True) if e["type"] == "referral.created"]
    assert len(created) == 1
    request = receiver.requests[events.index(created[0])]
    assert standard_webhooks_verify(secret=secret, headers=request["headers"], body=request["body"])
    assert created[0]["data"]["reference"] == complaint.reference
    message = OutboxMessage.objects.get(complaint_id=complaint.pk, topic="referral.created")
    assert message.status == OutboxStatus.DELIVERED

    # The agency reads the referral it was told about.
    detail = http.get(f"{api}/referrals/{created[0]['data']['reference']}/", timeout=10)
    assert detail.status_code == 200
    record_id = detail.json()["disputed_record"]["agency_record_id"]
    assert record_id == complaint.blacklist_entry.agency_record_id
    clocks = {c["obligation"]: c for c in detail.json()["clocks"]}
    assert {c["status"] for c in clocks.values()} == {"open"}

    ack = http.post(
        f"{api}/referrals/{complaint.reference}/acknowledge", headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10
    )
    assert ack.status_code == 200, ack.text
    flag = http.post(
        f"{api}/referrals/{complaint.reference}/flag-disputed",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert flag.status_code == 200, flag.text
    answer = {
        "outcome": "corrected",
        "explanation": "The judgment was satisfied on 2021-03-02; the listing is corrected.",
        "corrections": [{"field": "status", "old_value": "listed", "new_value": "satisfied 2021-03-02"}],
    }
    key = str(uuid.uuid4())
    respond = http.post(
        f"{api}/referrals/{complaint.reference}/response", json=answer, headers={"Idempotency-Key": key}, timeout=10
    )
    assert respond.status_code == 201, respond.text
    # A network retry of the same request is answered from the record, nothing new happens.
    retry = http.post(
        f"{api}/referrals/{complaint.reference}/response", json=answer, headers={"Idempotency-Key": key}, timeout=10
    )
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == "agency_responded"
    assert AgencyResponse.objects.filter(complaint=complaint).count() == 1
    complaint.blacklist_entry.refresh_from_db()
    assert complaint.blacklist_entry.status == RecordStatus.DISPUTED
    statuses = {c.obligation: c.status for c in Clock.objects.filter(complaint=complaint, agency=agency)}
    assert statuses == {"acknowledge": ClockStatus.MET, "mark_disputed": ClockStatus.MET, "respond": ClockStatus.MET}
    final = http.get(f"{api}/referrals/{complaint.reference}/", timeout=10).json()
    assert final["status"] == "agency_responded"
    assert {c["obligation"]: c["status"] for c in final["clocks"]} == {
        "acknowledge": "met",
        "mark_disputed": "met",
        "respond": "met",
    }
    kinds = [m["kind"] for m in final["messages"]]
    assert "agency_acknowledged" in kinds and "record_marked_disputed" in kinds

    # Another agency's client cannot even see that the case exists.
    other = AgencyFactory()
    out = io.StringIO()
    call_command("create_agency_client", other.slug, stdout=out)
    other_credentials = json.loads(out.getvalue())
    other_token = requests.post(
        f"{base}/o/token/",
        data={
            "grant_type": "client_credentials",
            "client_id": other_credentials["client_id"],
            "client_secret": other_credentials["client_secret"],
        },
        timeout=10,
    ).json()["access_token"]
    peek = requests.get(
        f"{api}/referrals/{complaint.reference}/", headers={"Authorization": f"Bearer {other_token}"}, timeout=10
    )
    assert peek.status_code == 404
    assert peek.headers["Content-Type"] == "application/problem+json"
