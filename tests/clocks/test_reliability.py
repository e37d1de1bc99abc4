"""The four reliability tests of issue 3, against real PostgreSQL, Redis and Celery worker
processes: a worker SIGKILLed mid-sweep, Redis stopped during referrals, two sweeps at once, the
same task message delivered twice. Each effect happens exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from clocks.models import Clock, ClockNotice, ClockStatus
from clocks.sweep import clock_sweep
from clocks.tasks import sweep_clocks
from complaints import services as complaint_services
from complaints.models import CaseEvent
from kernel.actors import Actor
from outbox.models import DeliveryAttempt, OutboxMessage
from outbox.tasks import relay_outbox
from tests.clocks.conftest import make_due_clocks
from tests.conftest import WorkerProcess
from tests.factories import OfficerFactory, make_complaint

# Transactional tests (worker processes see committed data); the seed data is restored afterwards.
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.usefixtures("django_db_serialized_rollback")]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def assert_escalated_exactly_once(clock_ids: list[int]) -> None:
    n = len(clock_ids)
    notices = ClockNotice.objects.filter(clock_id__in=clock_ids, kind="escalation")
    assert notices.count() == n
    assert notices.filter(level=1).values("clock_id").distinct().count() == n
    events = CaseEvent.objects.filter(kind="clock_escalated", data__clock_id__in=clock_ids)
    assert events.count() == n
    assert not events.values("data__clock_id").annotate(k=Count("id")).filter(k__gt=1).exists()
    assert Clock.objects.filter(pk__in=clock_ids, status=ClockStatus.MISSED, escalation_level=1).count() == n
    webhooks = OutboxMessage.objects.filter(
        topic="clock.missed", dedupe_key__in=[f"clock:{pk}:escalation:1:webhook" for pk in clock_ids]
    )
    assert webhooks.count() == n


def due_clock_ids(n: int, *, complaints: int = 10) -> list[int]:
    cases = [make_complaint(status="investigation") for _ in range(complaints)]
    return make_due_clocks(complaints=cases, n=n, now=timezone.now())


# 1. SIGKILL mid-sweep ---------------------------------------------------------------------------


def test_worker_killed_mid_sweep_then_a_new_worker_escalates_every_clock_exactly_once(celery_worker_process):
    worker = celery_worker_process
    ids = due_clock_ids(3000)
    sweep_clocks.apply_async(kwargs={"batch_size": 20}, queue=worker.queue)
    wait_until(lambda: ClockNotice.objects.exists(), 60, "the sweep to commit its first batch", interval=0.01)
    worker.kill()  # SIGKILL the worker and its pool child in the middle of the sweep
    at_kill = ClockNotice.objects.count()
    assert 0 < at_kill < 3000, f"the kill was not mid-sweep ({at_kill} escalations done)"

    second = WorkerProcess(worker.broker, worker.queue).start()
    try:
        sweep_clocks.apply_async(kwargs={"batch_size": 200}, queue=worker.queue)
        wait_until(lambda: ClockNotice.objects.count() >= 3000, 120, "the new worker to finish the sweep")
        # Nothing is left due, and a further sweep finds nothing.
        assert clock_sweep(now=timezone.now()).claimed == 0
    finally:
        second.kill()
    assert_escalated_exactly_once(ids)


# 2. Redis stopped while complaints are referred ------------------------------------------------


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at `url` (fresh connection pools), and back afterwards."""
    from ombudsman.celery import app

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    names = ("broker_url", "broker_write_url", "broker_read_url")
    previous = {name: app.conf.get(name) for name in names}
    for name in names:
        app.conf[name] = url
    reset()
    try:
        yield
    finally:
        for name, value in previous.items():
            app.conf[name] = value
        reset()


def test_redis_stopped_during_referrals_loses_nothing_and_doubles_nothing(
    transactional_db, celery_queue, private_redis
):
    officer = Actor.for_user(OfficerFactory())
    cases = [make_complaint(status="screening") for _ in range(9)]
    # Referred ten days ago: the acknowledgement and mark-disputed clocks are overdue now.
    referred_at = timezone.now() - timedelta(days=10)
    with broker(private_redis.url):
        worker = WorkerProcess(private_redis.url, celery_queue).start()
        try:
            for i, complaint in enumerate(cases):
                if i == 3:
                    private_redis.stop()  # the broker goes away mid-stream
                if i == 6:
                    private_redis.start()  # and comes back (empty: no persistence)
                complaint_services.complaint_refer(complaint_id=complaint.pk, actor=officer, now=referred_at)
            # Beat would run these every minute / 30 s; run them through the recovered broker.
            wait_until(lambda: worker_alive(worker), 5, "the worker")
            sweep_clocks.apply_async(queue=celery_queue)
            ids = [c.pk for c in cases]
            overdue = Clock.objects.filter(complaint_id__in=ids, obligation__in=["acknowledge", "mark_disputed"])
            wait_until(
                lambda: ClockNotice.objects.filter(clock__in=overdue, kind="escalation").count() >= 2 * 9 * 3,
                90,
                "the sweep through the recovered broker",
            )
            pending = OutboxMessage.objects.filter(complaint_id__in=ids, channel="email", status="pending")

            def relayed() -> bool:
                relay_outbox.apply_async(queue=celery_queue)
                return not pending.exists()

            wait_until(relayed, 90, "the relay to deliver every email", interval=1.0)
        finally:
            worker.kill()

    for complaint in cases:
        clocks = Clock.objects.filter(complaint=complaint).order_by("obligation")
        assert [c.obligation for c in clocks] == ["acknowledge", "mark_disputed", "respond"]
        assert CaseEvent.objects.filter(complaint=complaint, kind="clock_started").count() == 3
        assert CaseEvent.objects.filter(complaint=complaint, kind="refer").count() == 1
        # The referral email to the citizen: exactly one row, delivered exactly once.
        referral_emails = OutboxMessage.objects.filter(complaint_id=complaint.pk, topic="email.status.referred")
        assert referral_emails.count() == 1
        assert referral_emails.get().status == "delivered"
        # Each escalation level of each overdue clock: once.
        for clock in clocks.filter(obligation__in=["acknowledge", "mark_disputed"]):
            assert sorted(clock.notices.values_list("level", flat=True)) == [1, 2, 3]
    emails = OutboxMessage.objects.filter(complaint_id__in=[c.pk for c in cases], channel="email")
    assert emails.count() > 9 and not emails.exclude(status="delivered").exists()
    assert not (
        DeliveryAttempt.objects.filter(message__in=emails, succeeded=True)
        .values("message_id")
        .annotate(k=Count("id"))
        .filter(k__gt=1)
        .exists()
    )


def worker_alive(worker: WorkerProcess) -> bool:
    return worker.proc is not None and worker.proc.poll() is None


# 3. Two sweeps at once --------------------------------------------------------------------------


def test_two_concurrent_sweeps_equal_one_sweep(transactional_db):
    # The claim also locks each clock's complaint (SKIP LOCKED): spread the clocks over many cases
    # so that both sweeps find work.
    ids = due_clock_ids(600, complaints=60)
    now = timezone.now()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(clock_sweep(now=now, batch_size=25))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(r.claimed for r in results) == 600
    assert sum(r.escalations for r in results) == 600
    assert all(r.claimed > 0 for r in results), "both sweeps should have taken part"
    assert_escalated_exactly_once(ids)


# 4. The same task message delivered twice -------------------------------------------------------


def test_the_same_task_message_delivered_twice_has_one_effect(transactional_db, celery_queue):
    from tests.conftest import redis_url

    ids = due_clock_ids(400, complaints=4)
    worker = WorkerProcess(redis_url(), celery_queue, extra_args=["--concurrency=2"]).start()
    try:
        # Two identical messages (same task id and body), as a broker redelivery would produce.
        for _ in range(2):
            sweep_clocks.apply_async(kwargs={"batch_size": 10}, task_id="sweep-redelivered", queue=celery_queue)
        wait_until(lambda: ClockNotice.objects.count() >= 400, 60, "the sweeps")
        time.sleep(1.0)  # let the second delivery finish too
    finally:
        worker.kill()
    assert_escalated_exactly_once(ids)
