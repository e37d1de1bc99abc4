"""Benchmark: the outbox relay draining a morning's webhooks to a local HTTPS receiver.

`messages` webhook messages (default 20,000) for 20 agencies are due at once; `k` relay worker
processes (`manage.py outbox_relay --lane webhooks`: the relay task's service, each with its own
database connection) drain them to a receiver on loopback with a throwaway self-signed
certificate, trusted through WEBHOOK_CA_BUNDLE (the development-only private CA setting; the
loopback address is allowed with WEBHOOK_ALLOW_PRIVATE_ADDRESSES=loopback). Measured with 1, 2
and 4 workers on the same rows (reset between runs); prints messages/s, the time to drain, the
ratios to one worker, and checks that every message arrived exactly once.

    python3 dev.py bench relay [--messages 20000] [--relay-workers 1,2,4]
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .registry import benchmark

ROOT = Path(__file__).resolve().parent.parent
AGENCIES = 20


def _fill(n: int, url: str) -> None:
    from django.utils import timezone

    from agency_api.models import WebhookEndpoint
    from outbox.models import OutboxMessage
    from outbox.services import outbox_webhook_row
    from tests.factories import AgencyFactory

    now = timezone.now()
    agencies = [AgencyFactory(slug=f"relay-bench-{i}") for i in range(AGENCIES)]
    for i, agency in enumerate(agencies):
        WebhookEndpoint.objects.create(
            agency=agency,
            url=f"{url}/hooks/{i}",
            secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            created_at=now,
            updated_at=now,
        )
    rows = [
        outbox_webhook_row(
            agency_id=agencies[i % AGENCIES].pk,
            event_type="clock.reminder",
            data={"reference": f"OMB-2026-{i:06d}", "obligation": "respond", "level": 1},
            dedupe_key=f"relay-bench-{i}",
            now=now,
        )
        for i in range(n)
    ]
    OutboxMessage.objects.bulk_create(rows, batch_size=2_000)


def _reset() -> None:
    from django.utils import timezone

    from outbox.models import DeliveryAttempt, OutboxMessage, OutboxStatus, SlowDestination

    DeliveryAttempt.objects.all().delete()
    SlowDestination.objects.all().delete()
    OutboxMessage.objects.update(
        status=OutboxStatus.PENDING,
        attempts=0,
        delivered_at=None,
        leased_until=None,
        claim_token=None,
        last_error="",
        next_attempt_at=timezone.now(),
    )


def _drain(workers: int, env: dict[str, str]) -> float:
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "outbox_relay", "--lane", "webhooks", "--budget", "600"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(ROOT / "var" / f"bench-relay-{i}.log").open("wb"),
        )
        for i in range(workers)
    ]
    started = time.perf_counter()
    for p in procs:
        if p.wait(timeout=900) != 0:
            raise RuntimeError(f"a relay worker failed; see var/bench-relay-*.log (exit {p.returncode})")
    return time.perf_counter() - started


def measure(*, messages: int, worker_counts: list[int]) -> dict[int, float]:
    from outbox.models import OutboxMessage, OutboxStatus
    from tests.conftest import test_database_url

    from .receiver import Receiver, self_signed_certificate

    (ROOT / "var").mkdir(exist_ok=True)
    results: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = self_signed_certificate(Path(tmp))
        with Receiver(tls=(cert, key)) as receiver:
            _fill(messages, receiver.url)
            env = dict(
                os.environ,
                DJANGO_SETTINGS_MODULE="ombudsman.settings.test",
                DATABASE_URL=test_database_url(),
                CELERY_BROKER_URL="memory://",
                WEBHOOK_CA_BUNDLE=str(cert),
                WEBHOOK_ALLOW_PRIVATE_ADDRESSES="loopback",
                LOG_LEVEL="WARNING",
            )
            print(f"relay: {messages} webhooks for {AGENCIES} agencies to a local HTTPS receiver", flush=True)
            print(f"{'workers':>7} {'seconds':>9} {'msg/s':>9} {'vs 1':>6}  check")
            for k in worker_counts:
                _reset()
                receiver.deliveries.clear()
                seconds = _drain(k, env)
                results[k] = messages / seconds
                counts = collections.Counter(receiver.ids())
                delivered = OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).count()
                twice = sum(1 for c in counts.values() if c > 1)
                ok = len(counts) == messages and twice == 0 and delivered == messages
                base = results[worker_counts[0]]
                print(
                    f"{k:>7} {seconds:>9.1f} {results[k]:>9.1f} {results[k] / base:>5.2f}x  "
                    f"{'each once' if ok else f'received {len(counts)}, twice {twice}, recorded {delivered}'}",
                    flush=True,
                )
    return results


@benchmark("relay", "outbox relay: webhooks per second to a local HTTPS receiver with 1, 2 and 4 workers")
def run(args: argparse.Namespace) -> None:
    counts = [int(k) for k in str(getattr(args, "relay_workers", "1,2,4")).split(",")]
    measure(messages=getattr(args, "messages", 20_000), worker_counts=counts)
