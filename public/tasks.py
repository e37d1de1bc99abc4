"""Periodic task: keep the statistics rollup in step with the timeline (house rule 5: one
service, safe to run twice or late)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import statistics_refresh, statistics_watermark

CHUNK = 20_000


@shared_task(name="public.tasks.refresh_statistics", ignore_result=True)
def refresh_statistics() -> int:
    """Read what changed in chunks of 20,000 events (one transaction each) until caught up."""
    total = 0
    while True:
        before = statistics_watermark()
        read = statistics_refresh(now=timezone.now(), max_events=CHUNK)
        total += read
        if read < CHUNK or statistics_watermark() == before:
            return total
