"""Benchmark: the agency API's referral list under load, against a bare Django view doing the
same query on the same server.

A real gunicorn (from the venv) serves both on a loopback port, on a throwaway copy of the
database (Django's test-database machinery; PostgreSQL when DATABASE_URL points at it). A bounded
Python client with threads sends the same number of requests to each:

  api   GET /api/v1/agency/referrals/?status=referred        (OAuth2 token, scoping, throttle
                                                              counter, DRF serializer, pagination)
  bare  GET /bench/referrals-bare?agency_id=N&status=referred (same query, hand-built JSON)

It prints requests/s, p50 and p95 latency for each, and the API/bare ratios.

    python3 dev.py bench referral_list     # or: python -m benchmarks.referral_list [--requests N]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "benchmarks.referral_list_settings"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load(url: str, headers: dict[str, str], total: int, threads: int) -> dict[str, float]:
    import requests

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = [total // threads + (1 if i < total % threads else 0) for i in range(threads)]

    def worker(n: int) -> None:
        nonlocal errors
        session = requests.Session()
        mine: list[float] = []
        bad = 0
        for _ in range(n):
            started = time.perf_counter()
            response = session.get(url, headers=headers, timeout=30)
            mine.append(time.perf_counter() - started)
            if response.status_code != 200 or not response.content.startswith(b'{"next"'):
                bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    pool = [threading.Thread(target=worker, args=(n,)) for n in per_thread]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{errors} of {total} requests to {url} failed")
    return {
        "requests": total,
        "rps": total / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": _percentile(latencies, 0.95) * 1000,
    }


def _seed(referrals: int) -> tuple[int, str]:
    """`referrals` referred cases for the measured agency, as many for another agency (so the
    scoping filter has work to do). Returns (agency id, bearer token)."""
    from django.test import Client
    from django.utils import timezone

    from agency_api.services import api_client_create
    from tests.factories import AgencyFactory, make_complaint

    mine, other = AgencyFactory(slug="bench-agency"), AgencyFactory(slug="bench-other")
    now = timezone.now()
    for agency in (mine, other):
        for _ in range(referrals):
            make_complaint(status="referred", entry_kwargs={"agency": agency}, now=now)
    client, secret = api_client_create(agency=mine, name="bench", now=now)
    token = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "client_id": client.application.client_id, "client_secret": secret},
    )
    if token.status_code != 200:
        raise RuntimeError(f"token endpoint: {token.status_code} {token.content[:200]!r}")
    return mine.pk, token.json()["access_token"]


def measure(*, referrals: int, requests_per_round: int, threads: int, workers: int, rounds: int) -> dict[str, Any]:
    """Seed, serve with gunicorn, load both targets, print and return the figures. Django must be
    set up with the (throwaway) benchmark database as the default connection."""
    import requests
    from django.db import connection

    from tests.conftest import test_database_url

    agency_id, token = _seed(referrals)
    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS, DATABASE_URL=test_database_url())
    (ROOT / "var").mkdir(exist_ok=True)
    log = (ROOT / "var" / "bench-referral-list-gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "ombudsman.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    rounds_out: dict[str, list[dict[str, float]]] = {"api": [], "bare": []}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.RequestException:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start; see var/bench-referral-list-gunicorn.log") from None
                time.sleep(0.3)
        targets = {
            "api": (f"{base}/api/v1/agency/referrals/?status=referred", {"Authorization": f"Bearer {token}"}),
            "bare": (f"{base}/bench/referrals-bare?agency_id={agency_id}&status=referred", {}),
        }
        for url, headers in targets.values():  # warm up every worker
            _load(url, headers, total=100, threads=threads)
        for _ in range(rounds):
            for name in ("bare", "api"):
                url, headers = targets[name]
                rounds_out[name].append(_load(url, headers, total=requests_per_round, threads=threads))
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
        log.close()

    def best(name: str) -> dict[str, float]:  # the best round of each: the least disturbed by noise
        return max(rounds_out[name], key=lambda r: r["rps"])

    api, bare = best("api"), best("bare")
    result = {
        "database": connection.vendor,
        "workers": workers,
        "threads": threads,
        "requests_per_round": requests_per_round,
        "page_size": 25,
        "api": api,
        "bare": bare,
        "throughput_ratio": api["rps"] / bare["rps"],
        "p95_ratio": api["p95_ms"] / bare["p95_ms"],
    }
    print(
        f"referral list: {connection.vendor}, {referrals} referrals per agency (2 agencies), gunicorn {workers} "
        f"workers, {threads} client threads, {requests_per_round} requests x {rounds} rounds per target "
        "(best round), page of 25"
    )
    print(f"{'target':<6} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9}")
    for name, r in (("api", api), ("bare", bare)):
        print(f"{name:<6} {r['rps']:>9.1f} {r['p50_ms']:>9.2f} {r['p95_ms']:>9.2f}")
    print(f"API / bare view: throughput {result['throughput_ratio']:.2f}x, p95 latency {result['p95_ratio']:.2f}x")
    return result


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--referrals", type=int, default=150, help="referred cases per agency (two agencies)")
    parser.add_argument("--requests", type=int, default=800, help="measured requests per target and round")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=2)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Standalone: `python -m benchmarks.referral_list` (its own throwaway database)."""
    parser = argparse.ArgumentParser(prog="benchmarks.referral_list", description=__doc__.split("\n")[0])
    _options(parser)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":  # a file the server processes can open, not :memory:
        db["TEST"]["NAME"] = str(ROOT / "var" / "bench-referral-list.sqlite3")
    else:  # a throwaway database of its own, never the test suite's
        db["TEST"]["NAME"] = f"{db['NAME']}_bench_referral_list"
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        return measure(
            referrals=args.referrals,
            requests_per_round=args.requests,
            threads=args.threads,
            workers=args.workers,
            rounds=args.rounds,
        )
    finally:
        teardown_databases(old, verbosity=0)


def _register() -> None:
    """A section of `python -m benchmarks` (which creates the throwaway database)."""
    from .registry import benchmark

    @benchmark("referral_list", "agency API referral list vs a bare Django view, same query, same gunicorn")
    def section(args: argparse.Namespace) -> None:
        measure(
            referrals=getattr(args, "referrals", 150),
            requests_per_round=getattr(args, "requests", 800),
            threads=getattr(args, "threads", 8),
            workers=getattr(args, "workers", max(2, os.cpu_count() or 2)),
            rounds=getattr(args, "rounds", 2),
        )


if __name__ == "__main__":
    run(sys.argv[1:])
else:
    _register()
