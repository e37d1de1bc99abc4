"""Shared fixtures. Tests that need real services are marked `postgres` or `redis`: locally they
skip when the service is absent; with REQUIRE_SERVICES=1 (CI) they fail instead."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import NOW

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in ("1", "true", "yes")


def _missing(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available", pytrace=False)
    pytest.skip(f"{what} not available")


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = settings.DATABASES["default"]
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''} {db.get('NAME')}",
        f"celery broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
        f"REQUIRE_SERVICES={int(REQUIRE_SERVICES)}",
    ]


@pytest.fixture(autouse=True)
def _service_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        _missing("PostgreSQL (set DATABASE_URL=postgres://...)")
    if request.node.get_closest_marker("redis"):
        redis_url()


def redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        _missing("Redis (set CELERY_BROKER_URL=redis://...)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        _missing(f"Redis at {url}")
    return url


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """The category catalogue and the clock rules are seeded by data migrations; the flush after
    any transactional test (real workers, live servers) empties them. Reload them (idempotent)
    before every test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    from agencies.models import RecordCategory
    from agencies.reference_data import load_categories
    from clocks.models import ClockRule
    from clocks.rules_data import load_rules

    if not ClockRule.objects.exists():
        load_rules(ClockRule)
    if not RecordCategory.objects.exists():
        load_categories(RecordCategory)


@pytest.fixture
def admin_user(db: None, django_user_model: Any) -> Any:
    """pytest-django's `admin_client` user, with the second factor every admin user needs."""
    from accounts.services import user_activate_totp, user_mark_email_verified
    from tests.factories import TEST_TOTP_SECRET

    user = django_user_model.objects.create_superuser(email="admin@example.com", password="password")
    user_mark_email_verified(user=user)
    user_activate_totp(user=user, secret=TEST_TOTP_SECRET)
    return user


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits (sign-in failures, resets, API throttles) count in the cache: each test starts
    from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def now():  # type: ignore[no-untyped-def]
    return NOW


def test_database_url() -> str:
    """The URL of the test database this process uses, for subprocesses (workers, servers)."""
    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class WorkerProcess:
    """A real `celery worker` subprocess on its own queue, consuming from Redis, writing to the
    test database."""

    def __init__(self, broker: str, queue: str, extra_args: list[str] | None = None) -> None:
        self.broker = broker
        self.queue = queue
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = ROOT / "var" / f"worker-{queue}.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="ombudsman.settings.test",
            DATABASE_URL=test_database_url(),
            CELERY_BROKER_URL=self.broker,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            CELERY_ROUTE_BY_KIND="false",  # every task on this test's queue
        )
        return env

    def start(self, wait: bool = True) -> WorkerProcess:
        self.log.parent.mkdir(exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ombudsman",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=prefork",
            "-Q",
            self.queue,
            "-n",
            f"{self.queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *self.extra_args,
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env(), stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        from ops.models import Heartbeat
        from ops.tasks import ping

        token = uuid.uuid4().hex
        ping.apply_async((token,), queue=self.queue)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if Heartbeat.objects.filter(token=token).exists():
                return
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}; see {self.log}")
            time.sleep(0.2)
        raise TimeoutError(f"worker not ready after {timeout} s; see {self.log}")

    def kill(self, sig: int = 9) -> None:
        """SIGKILL the whole process group (the main process and its pool children)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_queue() -> Iterator[str]:
    """A fresh queue name; the test process publishes there so no other worker sees the tasks."""
    from ombudsman.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    previous, previous_routes = app.conf.task_default_queue, app.conf.task_routes
    app.conf.task_default_queue, app.conf.task_routes = queue, {}
    _reset_router(app)
    yield queue
    app.conf.task_default_queue, app.conf.task_routes = previous, previous_routes
    _reset_router(app)


def _reset_router(app: Any) -> None:
    """Celery caches the routing table and the router: rebuild them from the configuration."""
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def celery_worker_process(transactional_db: None, celery_queue: str) -> Iterator[WorkerProcess]:
    """Start a real Celery worker (Redis broker, the test database); stopped after the test."""
    broker = redis_url()
    worker = WorkerProcess(broker, celery_queue).start()
    try:
        yield worker
    finally:
        worker.stop()
