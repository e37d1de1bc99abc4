"""A real Celery worker process consumes a task through Redis and its effect lands in the DB."""

import time
import uuid

import pytest
from django.db import connection

from ops.models import Heartbeat
from ops.tasks import ping


@pytest.mark.postgres
@pytest.mark.redis
def test_real_worker_consumes_through_redis_into_postgres(celery_worker_process):
    token = uuid.uuid4().hex
    ping.delay(token)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Heartbeat.objects.filter(token=token).exists():
        time.sleep(0.2)
    beat = Heartbeat.objects.get(token=token)
    assert beat.worker.startswith(celery_worker_process.queue)
    assert connection.vendor == "postgresql"
