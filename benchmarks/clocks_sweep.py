"""Benchmark: the clock sweep (`clocks.sweep`) over 1,000,000 open clocks of which 10,000 are due.

Prints, for 1,000,000 open clocks and for 10,000 open clocks (all due):
  * the sweep's time against a raw `UPDATE ... RETURNING` of the same rows (target: <= 3x);
  * the sweep's time with 10,000 open against 1,000,000 open (target: within 1.5x);
  * the queries per batch (constant) and where the time goes;
  * `EXPLAIN (ANALYZE, BUFFERS)` of the claim query (an index scan on `clock_sweep_due`).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from clocks import sweep
from clocks.models import ClockNotice
from clocks.rules import rule_current
from clocks.sweep import claim_query_sql, clock_sweep
from tests.factories import SeniorOfficerFactory, make_complaint

from .registry import benchmark

RAW_UPDATE = """
UPDATE clocks_clock SET status = 'missed', escalation_level = 1,
       next_action_at = next_action_at + interval '3 days'
 WHERE status IN ('open', 'missed') AND next_action_at <= %s
RETURNING id
"""

LOAD = """
INSERT INTO clocks_clock (
    complaint_id, obligation, owed_by, agency_id, subject_key, rule_id, rule_version, jurisdiction,
    started_at, received_on, due_on, due_at, explanation, status, reminder_level, escalation_level,
    next_action_at, paused_at, paused_seconds, extended_at, extension_reason, met_at, cancelled_at,
    cancel_reason, created_at)
SELECT c.complaint_id, 'information_request', 'agency', c.agency_id, 'bench:' || g, %(rule)s, %(version)s, 'CN',
       t.due_at - interval '15 days', (t.due_at - interval '16 days')::date, (t.due_at - interval '1 day')::date,
       t.due_at, 'benchmark clock', 'open', CASE WHEN t.due THEN 2 ELSE 0 END, 0,
       CASE WHEN t.due THEN t.due_at ELSE t.due_at - interval '7 days' END,
       NULL, 0, NULL, '', NULL, NULL, '', t.due_at - interval '15 days'
  FROM generate_series(1, %(open)s) AS g
  CROSS JOIN LATERAL (
      SELECT (g %% %(step)s = 0 AND g / %(step)s <= %(due)s) AS due) AS d
  CROSS JOIN LATERAL (
      SELECT d.due,
             CASE WHEN d.due THEN %(now)s::timestamptz - interval '1 hour'
                  ELSE %(now)s::timestamptz + ((g %% 20) + 8) * interval '1 day' END AS due_at) AS t
  JOIN (SELECT ordinality - 1 AS k, complaint_id, agency_id
          FROM unnest(%(complaints)s::bigint[], %(agencies)s::bigint[]) WITH ORDINALITY AS u(complaint_id, agency_id)
       ) AS c ON c.k = g %% %(ncomplaints)s
"""


class QueryLog:
    """Counts and times every query, bucketed by sweep batch (a batch starts at its claim query)."""

    def __init__(self) -> None:
        self.batches: list[Counter[str]] = []
        self.seconds: Counter[str] = Counter()
        self.total = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        kind = _kind(sql)
        if kind == "claim":
            self.batches.append(Counter())
        if self.batches:
            self.batches[-1][kind] += 1
        self.total += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[kind] += time.perf_counter() - started


def _kind(sql: str) -> str:
    head = sql.lstrip()[:60].upper()
    if "FOR UPDATE" in sql.upper() and head.startswith("SELECT"):
        return "claim"
    if head.startswith('INSERT INTO "CLOCKS_CLOCKNOTICE"'):
        return "insert notices"
    if head.startswith('INSERT INTO "COMPLAINTS_CASEEVENT"'):
        return "insert events"
    if head.startswith('INSERT INTO "OUTBOX_OUTBOXMESSAGE"'):
        return "insert outbox"
    if head.startswith('UPDATE "CLOCKS_CLOCK"'):
        return "update clocks"
    if head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
        return "savepoint"
    return "other"


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _fixtures(ncomplaints: int) -> tuple[list[int], list[int], Any]:
    SeniorOfficerFactory(email="senior-bench@example.org")
    complaints = [make_complaint(status="investigation") for _ in range(ncomplaints)]
    return (
        [c.pk for c in complaints],
        [c.respondent_id for c in complaints],
        rule_current(code="omb-information-request"),
    )


def _load(*, open_: int, due: int, now: datetime, fixtures: tuple[list[int], list[int], Any]) -> float:
    complaints, agencies, rule = fixtures
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE clocks_clock, clocks_clocknotice, clocks_clockpause")
        cur.execute(
            LOAD,
            {
                "rule": rule.pk,
                "version": rule.version,
                "open": open_,
                "due": due,
                "step": max(open_ // due, 1),
                "now": now,
                "complaints": complaints,
                "agencies": agencies,
                "ncomplaints": len(complaints),
            },
        )
        cur.execute("ANALYZE clocks_clock")
        cur.execute("SELECT count(*), count(*) FILTER (WHERE next_action_at <= %s) FROM clocks_clock", [now])
        total, due_now = cur.fetchone()
    assert (total, due_now) == (open_, due), (total, due_now)
    return time.perf_counter() - started


def _raw_update(now: datetime) -> tuple[float, int]:
    with rolled_back(), connection.cursor() as cur:
        started = time.perf_counter()
        cur.execute(RAW_UPDATE, [now])
        rows = cur.fetchall()
        return time.perf_counter() - started, len(rows)


@contextmanager
def _counting_copies(log: QueryLog) -> Iterator[None]:
    """COPY goes to psycopg directly, past Django's execute wrappers: count it here."""
    original = sweep._copy_rows

    def counted(model: Any, objs: list[Any]) -> None:
        if not objs:
            return
        started = time.perf_counter()
        try:
            original(model, objs)
        finally:
            kind = f"copy {model._meta.model_name}"
            if log.batches:
                log.batches[-1][kind] += 1
            log.total += 1
            log.seconds[kind] += time.perf_counter() - started

    sweep._copy_rows = counted  # type: ignore[assignment]
    try:
        yield
    finally:
        sweep._copy_rows = original  # type: ignore[assignment]


def _sweep(now: datetime, batch_size: int, *, commit: bool = False, log: QueryLog | None = None) -> tuple[float, Any]:
    def run() -> tuple[float, Any]:
        started = time.perf_counter()
        if log is not None:
            with connection.execute_wrapper(log), _counting_copies(log):
                result = clock_sweep(now=now, batch_size=batch_size)
        else:
            result = clock_sweep(now=now, batch_size=batch_size)
        return time.perf_counter() - started, result

    if commit:
        return run()
    with rolled_back():
        return run()


def _explain(now: datetime, batch_size: int) -> list[str]:
    with rolled_back(), connection.cursor() as cur:
        sql, params = claim_query_sql(now=now, batch_size=batch_size)
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return [row[0] for row in cur.fetchall()]


def _scenario(
    label: str, *, open_: int, due: int, now: datetime, args: argparse.Namespace, fixtures: Any
) -> dict[str, Any]:
    print(f"\n--- {label}: {open_:,} open clocks, {due:,} due ---", flush=True)
    load = _load(open_=open_, due=due, now=now, fixtures=fixtures)
    print(f"loaded with INSERT ... SELECT generate_series in {load:.1f} s")
    plan = _explain(now, args.batch_size)
    print("EXPLAIN (ANALYZE, BUFFERS) of the claim query:")
    for line in plan:
        print("    " + line)
    index_scan = any("clock_sweep_due" in line and "Index" in line for line in plan)
    print(f"claim uses an index scan on clock_sweep_due: {'yes' if index_scan else 'NO'}")

    raws = [_raw_update(now) for _ in range(3)]
    assert all(n == due for _t, n in raws), raws
    raw = statistics.median(t for t, _n in raws)
    _sweep(now, args.batch_size)  # warm-up (rolled back)
    runs = []
    log = QueryLog()
    for i in range(3):
        seconds, result = _sweep(now, args.batch_size, log=log if i == 0 else None)
        assert result.claimed == due and result.escalations == due, result
        runs.append(seconds)
    sweep = statistics.median(runs)
    committed, result = _sweep(now, args.batch_size, commit=True)
    assert ClockNotice.objects.count() == due
    # The last claim of a sweep finds nothing: count only the batches that did work.
    per_batch = sorted({sum(b.values()) for b in log.batches[: result.batches]})
    print(f"raw UPDATE ... RETURNING of the {due:,} due rows (median of 3): {raw * 1000:.0f} ms")
    print(
        f"sweep of the same rows (median of 3, batch {args.batch_size}): {sweep * 1000:.0f} ms "
        f"= {sweep / raw:.1f}x the raw UPDATE  (committed run: {committed * 1000:.0f} ms)"
    )
    print(f"batches: {result.batches}; queries per batch: {per_batch} (total {log.total} queries)")
    sql_seconds = sum(log.seconds.values())
    breakdown = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in log.seconds.most_common())
    print(
        f"where the time went (first timed run): SQL {sql_seconds * 1000:.0f} ms ({breakdown}); "
        f"Python {(runs[0] - sql_seconds) * 1000:.0f} ms"
    )
    print(
        f"rows written per due clock: 1 notice, 1 timeline event, "
        f"{result.messages / max(result.claimed, 1):.0f} outbox messages, 1 clock update"
    )
    return {"raw": raw, "sweep": sweep, "index_scan": index_scan, "per_batch": per_batch, "batches": result.batches}


@benchmark("clocks-sweep", "the clock sweep: 10,000 due among 1,000,000 open, against a raw UPDATE ... RETURNING")
def run(args: argparse.Namespace) -> None:
    if args.due > args.open:
        raise SystemExit("--due cannot exceed --open")
    now = timezone.now().replace(microsecond=0) + timedelta(days=1)
    fixtures = _fixtures(100)
    big = _scenario("large", open_=args.open, due=args.due, now=now, args=args, fixtures=fixtures)
    small = _scenario("small", open_=args.due, due=args.due, now=now, args=args, fixtures=fixtures)
    print("\n--- summary ---")
    print("| open clocks | due | raw UPDATE ... RETURNING | sweep | sweep / raw | queries per batch |")
    print("|---|---|---|---|---|---|")
    for r, n in ((big, args.open), (small, args.due)):
        print(
            f"| {n:,} | {args.due:,} | {r['raw'] * 1000:.0f} ms | {r['sweep'] * 1000:.0f} ms | "
            f"{r['sweep'] / r['raw']:.1f}x | {', '.join(map(str, r['per_batch']))} |"
        )
    growth = big["sweep"] / small["sweep"]
    print(
        f"sweep with {args.open:,} open / with {args.due:,} open: {growth:.2f}x (target <= 1.5x: "
        f"{'met' if growth <= 1.5 else 'MISSED'})"
    )
    worst = max(big["sweep"] / big["raw"], small["sweep"] / small["raw"])
    print(f"sweep / raw UPDATE: up to {worst:.1f}x (target <= 3x: {'met' if worst <= 3 else 'MISSED'})")
    print(f"claim query index scan: {'yes' if big['index_scan'] and small['index_scan'] else 'NO'}")
