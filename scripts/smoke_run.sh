#!/usr/bin/env bash
# Start the README's run command, check the start page and that its own worker processes a task
# through the embedded (file-system) broker, then stop everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${SMOKE_PORT:-8765}
log=var/smoke-run.log
mkdir -p var
PORT=$port setsid python3 dev.py run >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 120); do
  if curl -fsS "http://127.0.0.1:$port/" -o var/smoke-home.html 2>/dev/null; then break; fi
  sleep 1
done
grep -q "free of charge" var/smoke-home.html || { echo "start page not served"; cat "$log"; exit 1; }
echo "start page served"
curl -fsS "http://127.0.0.1:$port/admin/login/" >/dev/null && echo "admin login page served"
DJANGO_SETTINGS_MODULE=ombudsman.settings.dev .venv/bin/python manage.py check_worker --timeout 90 \
  || { echo "worker did not process the task"; tail -50 "$log"; exit 1; }
grep -q "demo-pass-2026" "$log" && echo "demo logins printed"
cleanup
trap - EXIT
sleep 1
if pgrep -f "celery -A ombudsman" >/dev/null && pgrep -f "runserver --noreload 127.0.0.1:$port" >/dev/null; then
  echo "processes left running"; exit 1
fi
echo "smoke test passed; everything stopped"
