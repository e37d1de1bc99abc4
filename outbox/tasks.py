"""The relay tasks, one per lane, each routed to its own Celery queue (settings CELERY_TASK_ROUTES):
a slow agency's webhooks cannot delay other agencies' webhooks, and neither delays emails."""

from __future__ import annotations

from celery import shared_task

from .services import (
    LANE_EMAIL,
    LANE_WEBHOOKS,
    LANE_WEBHOOKS_SLOW,
    RELAY_TASKS,
    outbox_relay_run,
    relay_kick,
)


def _relay(lane: str) -> int:
    """Drain the lane for one time budget. When the first batch was full, another task is kicked
    at once so idle workers join in; when the budget ran out with work still due, the lane is
    kicked again (no fixed cap per task). Agencies found slow are handed to the slow lane."""
    run = outbox_relay_run(lane=lane)
    if run.first_batch_full or run.more_due:
        relay_kick(lane=lane)
    if run.slow_agencies and lane != LANE_WEBHOOKS_SLOW:
        relay_kick(lane=LANE_WEBHOOKS_SLOW)
    return run.delivered


@shared_task(name=RELAY_TASKS[LANE_EMAIL], ignore_result=True)
def relay_email() -> int:
    return _relay(LANE_EMAIL)


@shared_task(name=RELAY_TASKS[LANE_WEBHOOKS], ignore_result=True)
def relay_webhooks() -> int:
    return _relay(LANE_WEBHOOKS)


@shared_task(name=RELAY_TASKS[LANE_WEBHOOKS_SLOW], ignore_result=True)
def relay_webhooks_slow() -> int:
    return _relay(LANE_WEBHOOKS_SLOW)


@shared_task(name="outbox.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """The task of earlier releases (still queued by older beat schedules): kicks every lane."""
    for lane in (LANE_EMAIL, LANE_WEBHOOKS, LANE_WEBHOOKS_SLOW):
        relay_kick(lane=lane)
    return 0
