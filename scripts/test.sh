#!/usr/bin/env bash
# The whole test suite as CI runs it: install, make sure PostgreSQL and Redis are up, lint,
# type-check, then every test (unit, PostgreSQL, real sockets, Celery, Chromium) and the quick
# benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
bash scripts/services.sh
VENV=${VENV:-.venv}
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
"$VENV/bin/lint-imports"
# loadscope: a module's tests keep to one worker, so tests/scale starts each deployment once
# (pytest-xdist 3.8's loadgroup did not group them). --durations: the slowest tests, to keep
# the whole run well under CI's time.
"$VENV/bin/pytest" -n 2 --dist loadscope -p no:cacheprovider --durations=25 "$@"
for bench in bench/*.py; do
  [ -e "$bench" ] || continue
  echo "== $bench --quick"
  "$VENV/bin/python" "$bench" --quick
done
