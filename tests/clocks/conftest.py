"""Fixtures for the clocks tests: many due clocks at once, and a throwaway Redis server."""

from __future__ import annotations

import contextlib
import itertools
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from clocks.models import Clock, ClockStatus, Obligation, OwedBy
from clocks.rules import rule_current

_keys = itertools.count()


def make_due_clocks(
    *, complaints: list, n: int, now: datetime, overdue_by: timedelta = timedelta(hours=1)
) -> list[int]:
    """`n` agency information-request clocks that ran out `overdue_by` before `now`, spread over
    `complaints` (bulk insert; the services are exercised elsewhere)."""
    rule = rule_current(code="omb-information-request")
    due_at = now - overdue_by
    rows = []
    for i in range(n):
        complaint = complaints[i % len(complaints)]
        rows.append(
            Clock(
                complaint=complaint,
                obligation=Obligation.INFORMATION_REQUEST,
                owed_by=OwedBy.AGENCY,
                agency_id=complaint.respondent_id,
                subject_key=f"information_request:{next(_keys)}",
                rule=rule,
                rule_version=rule.version,
                jurisdiction="CN",
                started_at=due_at - timedelta(days=15),
                received_on=date(2026, 1, 1),
                due_on=(due_at - timedelta(days=1)).date(),
                due_at=due_at,
                explanation="bulk test clock",
                status=ClockStatus.OPEN,
                reminder_level=2,
                next_action_at=due_at,
                created_at=due_at - timedelta(days=15),
            )
        )
    return [c.pk for c in Clock.objects.bulk_create(rows, batch_size=1000)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A private `redis-server` (never the shared one on 6379): started, killed and restarted by
    the test that owns it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        import redis

        with contextlib.suppress(redis.ConnectionError):  # shutdown closes the connection: expected
            redis.Redis(port=self.port, socket_connect_timeout=0.5).shutdown(nosave=True)
        deadline = time.monotonic() + 10
        while self.ping() and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        from tests.conftest import _missing

        _missing("redis-server binary")
    server = RedisServer(_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
