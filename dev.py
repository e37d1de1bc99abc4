#!/usr/bin/env python3
"""Developer entry point: needs nothing but Python 3.11+.

    python3 dev.py run     install, migrate, load demo data, start web + Celery worker + beat
    python3 dev.py test    install (with test tools) and run the whole test suite
    python3 dev.py bench   run the benchmarks (needs PostgreSQL, see README)

Everything is installed into ./.venv from the hashed lock files in requirements/.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
LOCKS = {"base": ROOT / "requirements" / "base.txt", "dev": ROOT / "requirements" / "dev.txt"}


def _say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def ensure_venv(profile: str) -> None:
    """Create .venv and install the lock file for `profile` unless it is already installed."""
    lock = LOCKS[profile]
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = VENV / f".installed-{profile}"
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        _say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    _say(f"installing {lock.relative_to(ROOT)} (hash-checked)")
    subprocess.run(
        [
            str(PY),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "-r",
            str(lock),
        ],
        check=True,
    )
    stamp.write_text(digest)


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(PY), "manage.py", *args], check=True, cwd=ROOT, env=env)


def cmd_run(argv: list[str]) -> int:
    ensure_venv("base")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman.settings.dev")
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--no-input", env=env)
    manage("seed_demo", env=env)
    celery = [str(BIN / "celery"), "-A", "ombudsman"]
    procs = [
        subprocess.Popen(
            [*celery, "worker", "--loglevel=INFO", "--concurrency=2", "--hostname=dev-worker@%h"], cwd=ROOT, env=env
        ),
        subprocess.Popen(
            [*celery, "beat", "--loglevel=INFO", "--schedule", str(ROOT / "var" / "celerybeat-schedule")],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen([str(PY), "manage.py", "runserver", "--noreload", f"{host}:{port}"], cwd=ROOT, env=env),
    ]
    base = f"http://{host}:{port}"
    print(
        f"""
==============================================================================
 Ombudsman case service is starting at {base}/
   start page ........ {base}/
   officers' admin ... {base}/admin/
   API docs .......... {base}/api/v1/docs/
 Demo logins (password for all: demo-pass-2026):
   citizen ........... citizen@example.org
   parent of a minor . parent@example.org
   case officer ...... officer@example.org
   senior officer .... senior@example.org
 Celery worker and beat run alongside (broker: files under var/broker/).
 Press Ctrl+C to stop everything.
==============================================================================
""",
        flush=True,
    )

    def stop(*_: object) -> None:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

    def on_term(*_: object) -> None:
        stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        _say("a process exited; stopping the others")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


def cmd_test(argv: list[str]) -> int:
    ensure_venv("dev")
    return subprocess.run([str(PY), "-m", "pytest", *argv], cwd=ROOT).returncode


def cmd_bench(argv: list[str]) -> int:
    ensure_venv("dev")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman.settings.test")
    return subprocess.run([str(PY), "-m", "benchmarks", *argv], cwd=ROOT, env=env).returncode


def cmd_venv(argv: list[str]) -> int:
    ensure_venv(argv[0] if argv else "dev")
    return 0


COMMANDS = {"run": cmd_run, "test": cmd_test, "bench": cmd_bench, "venv": cmd_venv}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
