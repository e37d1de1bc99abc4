"""Run the benchmarks: `python -m benchmarks [section ...] [options]` (or `python3 dev.py bench`).

Needs PostgreSQL (DATABASE_URL=postgres://...). The figures are measured in a throwaway database
`bench_<name>` created (migrated) for the run and dropped afterwards; nothing touches your data.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman.settings.test")
    # Nothing the benchmark triggers (the relay kick after a sweep) may reach a real broker.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from .registry import BENCHMARKS, SECTION_MODULES

    for module in SECTION_MODULES:
        importlib.import_module(module)

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("sections", nargs="*", help=f"sections to run (default: all): {', '.join(BENCHMARKS)}")
    parser.add_argument("--open", type=int, default=1_000_000, help="open clocks in the big run (default 1,000,000)")
    parser.add_argument("--due", type=int, default=10_000, help="of which due now (default 10,000)")
    parser.add_argument("--batch-size", type=int, default=500, help="sweep batch size (default 500)")
    parser.add_argument("--messages", type=int, default=20_000, help="relay: due webhook messages (default 20,000)")
    parser.add_argument("--relay-workers", default="1,2,4", help="relay: worker process counts (default 1,2,4)")
    parser.add_argument("--size", type=int, default=1_000_000, help="read: cases in the big run (default 1,000,000)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--db-name", default=None, help="name of the throwaway database (default bench_<name>)")
    args = parser.parse_args(argv)

    unknown = [s for s in args.sections if s not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        print(
            "The benchmarks need PostgreSQL: the sweep's claim query (SELECT ... FOR UPDATE SKIP LOCKED on a "
            "partial index) and the bulk loading (INSERT ... SELECT generate_series) are PostgreSQL's.\n"
            f"This run is configured for {db['ENGINE'].rsplit('.', 1)[-1]}. Set for example\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ombudsman python3 dev.py bench",
            file=sys.stderr,
        )
        return 2

    original = db["NAME"]
    bench_name = args.db_name or f"bench_{original}"
    db.setdefault("TEST", {})["NAME"] = bench_name
    started = time.monotonic()
    print(f"Creating and migrating the throwaway database {bench_name} ...", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep_db)
    try:
        for name in args.sections or list(BENCHMARKS):
            section = BENCHMARKS[name]
            print(f"\n=== {section.name}: {section.description} ===", flush=True)
            section.run(args)
    finally:
        if not args.keep_db:
            connection.creation.destroy_test_db(original, verbosity=0)
    print(f"\n(done in {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
