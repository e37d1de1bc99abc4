#!/usr/bin/env python3
"""Developer entry point: needs nothing but Python 3.11+.

    python3 dev.py run     install, migrate, load demo data, start web + Celery worker + beat
    python3 dev.py test    install (with test tools) and run the whole test suite
    python3 dev.py bench   run the benchmarks (needs PostgreSQL, see README)
    python3 dev.py mutate  mutation testing of the core pure modules (README "Mutation testing")
    python3 dev.py totp E  the current second-factor code of demo login E (development only)

Everything is installed into ./.venv from the hashed lock files in requirements/.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
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


# The development worker consumes every queue (settings CELERY_TASK_ROUTES splits them by kind).
DEV_QUEUES = "default,sweep,email,webhooks,webhooks_slow"


def _output(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def ensure_pdf_system_packages() -> None:
    """The PDF letters (WeasyPrint) need Pango and, for Chinese, a CJK font: on Debian/Ubuntu as
    root, install what is missing; elsewhere say what to install."""
    have_pango = "libpango-1.0.so" in _output(["ldconfig", "-p"])
    have_cjk = bool(_output(["fc-list", ":lang=zh"]).strip())
    missing = ([] if have_pango else ["libpango-1.0-0", "libpangoft2-1.0-0"]) + (
        [] if have_cjk else ["fonts-wqy-microhei"]
    )
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        _say(f"installing {' '.join(missing)} for the PDF letters")
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=False)
    else:
        _say(f"PDF letters need: {' '.join(missing)} (install them with your package manager)")


def cmd_run(argv: list[str]) -> int:
    ensure_venv("base")
    ensure_pdf_system_packages()
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
            [*celery, "worker", "--loglevel=INFO", "--concurrency=2", "--hostname=dev-worker@%h", "-Q", DEV_QUEUES],
            cwd=ROOT,
            env=env,
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
   second senior ..... reviewer@example.org (took part in no case: decides the review waiting)
   claim a record .... claimant@example.org (an officer gives her a claim code)
   agency portal ..... {base}/agency/  admin@harbour-court.example, responder@harbour-court.example
                       (every demo agency: admin@<slug>.example, responder@<slug>.example)
 Second factor (officers, senior officer, agency logins): an authenticator app with the
   demo TOTP secret KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU, or in another terminal:
   python3 dev.py totp officer@example.org   (prints the current 6-digit code)
 Celery worker (every queue) and beat run alongside (broker: files under var/broker/).
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


# Mutation testing: mutmut's exit codes per mutant (mutmut/stats.py). A mutant is detected when a
# test fails (killed) or the tests never finish (timeout); `skipped` mutants are left out.
MUTANT_DETECTED = {1, 3, 36, 37, 24, -24, 152, 255}
MUTANT_SKIPPED = {34}
MUTATION_THRESHOLD = 90.0


def mutation_scores(root: Path, modules: list[str]) -> list[tuple[str, int, int, list[str]]]:
    """(module, detected, counted, undetected mutant names) for each mutated module, from the
    .meta files mutmut leaves in ./mutants."""
    out = []
    for module in modules:
        meta = root / "mutants" / f"{module}.meta"
        codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        counted = {k: v for k, v in codes.items() if v not in MUTANT_SKIPPED}
        undetected = sorted(k for k, v in counted.items() if v not in MUTANT_DETECTED)
        out.append((module, len(counted) - len(undetected), len(counted), undetected))
    return out


def cmd_mutate(argv: list[str]) -> int:
    """Run mutmut from scratch over [tool.mutmut] only_mutate (pyproject.toml), print each
    module's score and the surviving mutants; non-zero when a module scores under 90%."""
    ensure_venv("dev")
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    modules = tool["mutmut"]["only_mutate"]
    copied = set(tool["mutmut"]["source_paths"]) | set(tool["mutmut"]["also_copy"])
    missing = sorted(set(tool["importlinter"]["root_packages"]) - copied)
    if missing:
        _say(f"add {', '.join(missing)} to [tool.mutmut] also_copy: Django needs every app in ./mutants")
        return 2
    # From scratch: mutmut keeps verdicts between runs, which can outlive the tests that gave them.
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    (ROOT / "var").mkdir(exist_ok=True)
    log = ROOT / "var" / "mutmut.log"
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman.settings.test")
    _say(f"mutmut run over {', '.join(modules)} (output in {log.relative_to(ROOT)})")
    started = time.monotonic()
    with log.open("w") as out:
        rc = subprocess.run(
            [str(BIN / "mutmut"), "run", *argv], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        ).returncode
    elapsed = time.monotonic() - started
    if rc != 0:
        print(log.read_text()[-4000:])
        _say(f"mutmut failed (exit {rc}) after {elapsed:.0f}s")
        return rc
    failed = False
    print(f"\n{'module':<32} {'detected':>8} {'mutants':>8} {'score':>7}")
    scores = mutation_scores(ROOT, modules)
    for module, detected, counted, _undetected in scores:
        score = 100.0 * detected / counted if counted else 0.0
        failed |= score < MUTATION_THRESHOLD
        mark = "" if score >= MUTATION_THRESHOLD else f"  < {MUTATION_THRESHOLD:.0f}%"
        print(f"{module:<32} {detected:>8} {counted:>8} {score:>6.1f}%{mark}")
    survivors = [name for *_rest, undetected in scores for name in undetected]
    if survivors:
        print("\nsurviving mutants (see one with: .venv/bin/mutmut show <name>):")
        for name in survivors:
            print(f"  {name}")
    _say(f"mutation testing took {elapsed:.0f}s")
    return 1 if failed else 0


def cmd_totp(argv: list[str]) -> int:
    """The current TOTP code of a demo login on the embedded database (development only)."""
    if len(argv) != 1:
        print("usage: python3 dev.py totp <email>")
        return 2
    ensure_venv("base")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman.settings.dev")
    return subprocess.run([str(PY), "manage.py", "totp_code", argv[0]], cwd=ROOT, env=env).returncode


def cmd_venv(argv: list[str]) -> int:
    ensure_venv(argv[0] if argv else "dev")
    return 0


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "bench": cmd_bench,
    "mutate": cmd_mutate,
    "venv": cmd_venv,
    "totp": cmd_totp,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
