"""The relay in real worker processes (`manage.py outbox_relay`, the relay task's service) against
a slow endpoint: with the lease shorter than sending everything, every webhook is delivered once;
a worker killed mid-batch (kill -9) loses nothing, and a second run sends again only what the dead
worker had not recorded, and only after its lease."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from agency_api.models import WebhookEndpoint
from benchmarks.receiver import Receiver
from outbox.models import OutboxMessage, OutboxStatus
from outbox.services import outbox_relay, outbox_webhook_row
from tests.conftest import ROOT, test_database_url
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _relay_process(env_extra: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="ombudsman.settings.test",
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL="memory://",
        WEBHOOK_ALLOW_PRIVATE_ADDRESSES="loopback",
        **env_extra,
    )
    log = (ROOT / "var" / log_name).open("wb")
    return subprocess.Popen(
        [sys.executable, "manage.py", "outbox_relay", "--lane", "webhooks", "--budget", "120"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _setup(receiver: Receiver, n: int) -> list[OutboxMessage]:
    agency = AgencyFactory()
    now = timezone.now()
    WebhookEndpoint.objects.create(
        agency=agency, url=receiver.url + "/slow", secret=SECRET, created_at=now, updated_at=now
    )
    return OutboxMessage.objects.bulk_create(
        [
            outbox_webhook_row(
                agency_id=agency.pk, event_type="clock.reminder", data={"i": i}, dedupe_key=f"p{i}", now=now
            )
            for i in range(n)
        ]
    )


def test_slow_endpoint_45_messages_two_workers_each_delivered_once():
    """The old relay leased 50 for 5 minutes and sent them one by one: with a slow endpoint the
    lease ran out mid-batch and a second worker sent the same messages again. Here the lease
    (8 s) is shorter than sending all 45 (0.3 s each: 13.5 s)."""
    env = {
        "OUTBOX_LEASE_SECONDS": "8",
        "WEBHOOK_TIMEOUT_SECONDS": "1",
        "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "0.5",
        "OUTBOX_SLOW_SECONDS": "60",  # this test is about the lease, not the slow lane
    }
    with Receiver() as receiver:
        receiver.delays["/slow"] = 0.3
        messages = _setup(receiver, 45)
        workers = [_relay_process(env, f"relay-slow-{i}.log") for i in range(2)]
        for w in workers:
            assert w.wait(timeout=120) == 0
    counts = collections.Counter(receiver.ids())
    assert set(counts) == {str(m.pk) for m in messages}
    assert [mid for mid, c in counts.items() if c > 1] == []
    assert OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).count() == 45


def test_worker_killed_mid_batch_then_a_second_run_loses_nothing_and_resends_only_the_unrecorded():
    env = {
        "OUTBOX_LEASE_SECONDS": "30",
        "WEBHOOK_TIMEOUT_SECONDS": "1",
        "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "0.5",
        "OUTBOX_SLOW_SECONDS": "60",
    }
    with Receiver() as receiver:
        receiver.delays["/slow"] = 0.3
        messages = _setup(receiver, 20)
        worker = _relay_process(env, "relay-killed.log")
        deadline = time.monotonic() + 60
        while len(receiver.deliveries) < 6:
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        time.sleep(0.4)  # a request in flight at the kill may still be recorded by the receiver
        sent_before = set(receiver.ids())
        recorded = {
            str(pk) for pk in OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).values_list("pk", flat=True)
        }
        assert recorded <= sent_before
        leased = {
            str(pk)
            for pk in OutboxMessage.objects.filter(
                status=OutboxStatus.PENDING, leased_until__gt=timezone.now()
            ).values_list("pk", flat=True)
        }
        assert leased  # the dead worker's lease still holds what it claimed

        # A second run inside the lease sends none of the dead worker's messages.
        with override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=["loopback"], OUTBOX_SLOW_SECONDS=60):
            outbox_relay(lane="webhooks")
            assert not (set(receiver.ids()[len(sent_before) :]) & leased)
            # After the lease: everything leaves; only what was sent but not recorded goes twice.
            outbox_relay(now=timezone.now() + timedelta(seconds=31), lane="webhooks")
    counts = collections.Counter(receiver.ids())
    assert set(counts) == {str(m.pk) for m in messages}  # nothing lost
    twice = {mid for mid, c in counts.items() if c > 1}
    assert twice <= sent_before - recorded  # nothing recorded as delivered was sent again
    assert len(twice) <= 5  # at most one flush window (1 s at 0.3 s per message)
    assert OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).count() == 20
