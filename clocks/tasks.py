"""Celery tasks of the clocks app: the beat-driven sweep. The database is the source of truth
(no ETA / countdown tasks for deadlines); the task only calls the service and handles retries."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .sweep import SWEEP_BATCH_SIZE, clock_sweep


@shared_task(
    name="clocks.tasks.sweep_clocks",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def sweep_clocks(batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Remind and escalate every clock due now. Safe to run concurrently, repeatedly and late."""
    return clock_sweep(now=timezone.now(), batch_size=batch_size).claimed
