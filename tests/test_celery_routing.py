"""Celery queues split by kind (settings CELERY_TASK_ROUTES): the sweep, emails, webhooks and
slow agencies' webhooks each have their queue; the development worker and docker-compose's
workers consume every queue."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

import dev
from ombudsman.celery import app
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("clocks.tasks.sweep_clocks", "sweep"),
        ("outbox.tasks.relay_email", "email"),
        ("outbox.tasks.relay_webhooks", "webhooks"),
        ("outbox.tasks.relay_webhooks_slow", "webhooks_slow"),
        ("agency_api.tasks.purge_idempotency_records", "default"),
        ("ops.ping", "default"),
    ],
)
def test_each_kind_of_task_goes_to_its_queue(task, queue):
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue


def test_every_task_that_exists_is_routed_to_a_queue_a_worker_consumes():
    app.loader.import_default_modules()
    consumed = set(dev.DEV_QUEUES.split(","))
    assert consumed == {settings.CELERY_TASK_DEFAULT_QUEUE, *settings.CELERY_QUEUES_BY_KIND}
    for name in settings.CELERY_TASK_ROUTES:
        assert name in app.tasks, f"route for a task that does not exist: {name}"
        assert settings.CELERY_TASK_ROUTES[name]["queue"] in consumed
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_docker_compose_runs_a_worker_for_every_queue():
    compose = (ROOT / "docker-compose.yml").read_text()
    queues = set()
    for line in re.findall(r"celery -A ombudsman worker .*", compose):
        queues.update(re.search(r"-Q (\S+)", line).group(1).split(","))  # type: ignore[union-attr]
    assert queues == {settings.CELERY_TASK_DEFAULT_QUEUE, *settings.CELERY_QUEUES_BY_KIND}
